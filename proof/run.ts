// `npm run proof [-- part ...]`: what Vega survives, measured on this machine and printed as a table.
// Parts: kill-worker, kill-stack, hostile, load (all by default). Minutes, not part of `npm test`.
import { cpus, totalmem } from 'node:os'
import { hostileProof } from './hostile.js'
import { killStackProof } from './kill-stack.js'
import { killWorkerProof, type Row } from './kill-worker.js'
import { loadProof } from './load.js'

const parts: Record<string, () => Promise<Row[]>> = {
  'kill-worker': () => killWorkerProof(Number(process.env.PROOF_KILLS ?? 20)),
  'kill-stack': () => killStackProof(16),
  hostile: () => hostileProof(Number(process.env.PROOF_PER_ROUTE ?? 14)),
  load: () =>
    loadProof({
      rate: 200,
      seconds: Number(process.env.PROOF_LOAD_S ?? 60),
      files: Number(process.env.PROOF_FILES ?? 100_000),
    }),
}

const asked = process.argv.slice(2)
const unknown = asked.filter((part) => !(part in parts))
if (unknown.length) {
  console.error(`unknown part: ${unknown.join(', ')}; the parts are ${Object.keys(parts).join(', ')}`)
  process.exit(2)
}

const rows: (Row & { part: string; seconds: number })[] = []
for (const part of asked.length ? asked : Object.keys(parts)) {
  const started = performance.now()
  for (const row of await parts[part]!()) rows.push({ ...row, part, seconds: (performance.now() - started) / 1000 })
}

console.log(
  `\nVega proof on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}\n`,
)
console.log('| part | check | measured | holds |')
console.log('|---|---|---|---|')
for (const row of rows)
  console.log(`| ${row.part} | ${row.check} | ${row.measured} | ${row.holds ? 'yes' : '**no**'} |`)
process.exit(rows.every((row) => row.holds) ? 0 : 1)
