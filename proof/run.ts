// `npm run proof [-- part ...]`: what Vega survives, measured on this machine and printed as a table.
// Parts: kill-worker, kill-stack, hostile, load (all by default). Minutes, not part of `npm test`.
// Each part runs in a process of its own, so no stack, thread or environment of one reaches the next.
import { spawn } from 'node:child_process'
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

const rowsMarker = 'proof-rows:'

/** One part in a child process; its rows come back on its last line. */
function runPart(part: string): Promise<Row[]> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, new URL(import.meta.url).pathname, part], {
      env: { ...process.env, PROOF_CHILD: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
    })
    child.on('close', (code) => {
      const line = output.split('\n').find((text) => text.startsWith(rowsMarker))
      resolve(
        line
          ? (JSON.parse(line.slice(rowsMarker.length)) as Row[])
          : [{ check: 'the part ran to its end', measured: `exited with ${code}`, holds: false }],
      )
    })
  })
}

const asked = process.argv.slice(2)
const unknown = asked.filter((part) => !(part in parts))
if (unknown.length) {
  console.error(`unknown part: ${unknown.join(', ')}; the parts are ${Object.keys(parts).join(', ')}`)
  process.exit(2)
}

if (process.env.PROOF_CHILD) {
  const rows = await parts[asked[0]!]!()
  console.log(`${rowsMarker}${JSON.stringify(rows)}`)
  process.exit(0)
}

const rows: (Row & { part: string; seconds: number })[] = []
for (const part of asked.length ? asked : Object.keys(parts)) {
  const started = performance.now()
  const partRows = await runPart(part)
  const seconds = (performance.now() - started) / 1000
  for (const row of partRows) rows.push({ ...row, part, seconds })
}

console.log(
  `\nVega proof on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}\n`,
)
console.log('| part (s) | check | measured | holds |')
console.log('|---|---|---|---|')
for (const row of rows)
  console.log(
    `| ${row.part} (${row.seconds.toFixed(0)}) | ${row.check} | ${row.measured} | ${row.holds ? 'yes' : '**no**'} |`,
  )
process.exit(rows.every((row) => row.holds) ? 0 : 1)
