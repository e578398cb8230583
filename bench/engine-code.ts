// npx node --import tsx bench/engine-code.ts [max-MB]: throughput of the code engine over the project's
// own node_modules JS/TS files, next to, in the same run, the I/O floor (merely reading the same files)
// and the @ast-grep/cli binary running the same rules (written out as rule YAML) on the same file list.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { ScanSource, Severity } from '../shared/scanning/engine.js'
import { codeFilesOf, codeLanguages, defaultLimits, scanCode } from '../shared/scanning/engines/code/index.js'
import { listFiles } from '../shared/scanning/source.js'

const root = resolve(import.meta.dirname, '..', 'node_modules')
const maxBytes = Number(process.argv[2] ?? 'Infinity') * 1024 * 1024
const extensions = new Set(codeLanguages.flatMap((language) => language.extensions))

const cliSeverity: Record<Severity, string> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'info',
  info: 'info',
}
const cliLanguage: Record<string, string> = { javascript: 'JavaScript', typescript: 'TypeScript', tsx: 'Tsx' }

const mb = (bytes: number) => bytes / 1024 / 1024
const seconds = (ms: number) => ms / 1000

function timed<T>(work: () => T): { result: T; ms: number } {
  const started = performance.now()
  const result = work()
  return { result, ms: performance.now() - started }
}

async function timedAsync<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now()
  const result = await work()
  return { result, ms: performance.now() - started }
}

// The same selection the engine makes (size cap, minified, declaration files), so every contender
// reads exactly the same files; then an optional cap in MB for slow machines.
const listed = listFiles(root).filter((file) =>
  extensions.has(file.path.slice(file.path.lastIndexOf('.')).toLowerCase()),
)
for (const file of listed) file.size = readFileSync(join(root, file.path)).length
const source: ScanSource = {
  root,
  files: listed,
  history: { commits: [], blobs: new Map() },
  readBlob: () => Buffer.alloc(0),
  deadline: Date.now() + 3_600_000,
}
const selected = new Set([...codeFilesOf(source, defaultLimits).values()].flat())
let total = 0
source.files = listed.filter((file) => {
  if (!selected.has(join(root, file.path)) || total + file.size > maxBytes) return false
  total += file.size
  return true
})
const paths = source.files.map((file) => join(root, file.path))
console.log(`# Code engine benchmark: ${paths.length} JS/TS files, ${mb(total).toFixed(1)} MB under node_modules`)
console.log(`(${listed.length - paths.length} more skipped: declaration, minified, over 1 MB or over the cap)\n`)

// The first read may come from disk; every later contender reads from the page cache, so the floor
// is timed again warm. Engine and CLI alternate over two rounds and keep their best time, because
// the two cores are shared with whatever else runs.
const firstRead = timed(() => {
  for (const path of paths) readFileSync(path)
})
const floor = timed(() => {
  for (const path of paths) readFileSync(path, 'utf8')
})
const engineRuns: { result: Awaited<ReturnType<typeof scanCode>>; ms: number }[] = []
const cliRuns: ReturnType<typeof runCli>[] = []
for (let round = 0; round < 2; round++) {
  engineRuns.push(await timedAsync(() => scanCode(source)))
  cliRuns.push(runCli(paths))
}
const fastest = <T extends { ms: number }>(runs: T[]) => runs.reduce((best, run) => (run.ms < best.ms ? run : best))
const engine = fastest(engineRuns)
const cli = fastest(cliRuns)

const engineCounts = countBy(engine.result.map((finding) => finding.rule_id))
const rows = [
  { contender: 'first read (readFileSync)', ms: firstRead.ms, hits: '' },
  { contender: 'I/O floor (readFileSync utf8, warm)', ms: floor.ms, hits: '' },
  { contender: 'Vega code engine (napi findInFiles)', ms: engine.ms, hits: String(engine.result.length) },
  { contender: 'ast-grep CLI 0.51.1 (same rules)', ms: cli.ms, hits: String(cli.hits) },
]
for (const row of rows) {
  const s = seconds(row.ms)
  console.log(
    `${row.contender.padEnd(38)} ${s.toFixed(2).padStart(7)} s ${(mb(total) / s).toFixed(1).padStart(7)} MB/s ${(paths.length / s).toFixed(0).padStart(7)} files/s  ${row.hits ? `${row.hits} hits` : ''}`,
  )
}
console.log(
  `\nengine rounds: ${engineRuns.map((run) => seconds(run.ms).toFixed(2)).join(' s, ')} s; CLI rounds: ${cliRuns.map((run) => seconds(run.ms).toFixed(2)).join(' s, ')} s`,
)
console.log(`\nengine / I/O floor throughput: ${(floor.ms / engine.ms).toFixed(3)}x`)
console.log(`engine / ast-grep CLI throughput: ${(cli.ms / engine.ms).toFixed(2)}x (above 1: the engine is faster)`)
console.log('\nhits per rule (engine / CLI):')
for (const id of [...new Set([...Object.keys(engineCounts), ...Object.keys(cli.counts)])].sort())
  console.log(
    `  ${id.padEnd(32)} ${String(engineCounts[id] ?? 0).padStart(6)} / ${String(cli.counts[id] ?? 0).padStart(6)}`,
  )

function countBy(ids: string[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const id of ids) counts[id] = (counts[id] ?? 0) + 1
  return counts
}

/** The engine's JS/TS rules as an ast-grep project (JSON is YAML), scanned in batches that fit in argv. */
function runCli(files: string[]) {
  const project = mkdtempSync(join(tmpdir(), 'vega-sg-bench-'))
  mkdirSync(join(project, 'rules'))
  writeFileSync(join(project, 'sgconfig.yml'), 'ruleDirs:\n  - rules\n')
  for (const language of codeLanguages.filter((candidate) => candidate.name in cliLanguage)) {
    for (const rule of language.rules) {
      const yaml = {
        id: `${rule.id}@${language.name}`,
        language: cliLanguage[language.name],
        severity: cliSeverity[rule.severity],
        message: rule.title,
        rule: rule.rule,
      }
      writeFileSync(join(project, 'rules', `${rule.id}@${language.name}.yml`), JSON.stringify(yaml, null, 2))
    }
  }
  const binary = resolve(import.meta.dirname, '..', 'node_modules', '.bin', 'ast-grep')
  const counts: Record<string, number> = {}
  let hits = 0
  const batchSize = 1500
  const started = performance.now()
  for (let start = 0; start < files.length; start += batchSize) {
    const run = spawnSync(
      binary,
      [
        'scan',
        '--config',
        join(project, 'sgconfig.yml'),
        '--json=stream',
        '--no-ignore',
        'hidden',
        '--no-ignore',
        'dot',
        '--no-ignore',
        'vcs',
        '--no-ignore',
        'parent',
        ...files.slice(start, start + batchSize),
      ],
      { maxBuffer: 1024 * 1024 * 1024, encoding: 'utf8' },
    )
    // Exit code 1 only says error-level findings exist.
    if (run.status !== 0 && run.status !== 1) throw new Error(`ast-grep failed: ${run.stderr}`)
    const output = run.stdout
    for (const line of output.split('\n')) {
      if (!line) continue
      const id = (JSON.parse(line) as { ruleId: string }).ruleId.split('@')[0]!
      counts[id] = (counts[id] ?? 0) + 1
      hits++
    }
  }
  const ms = performance.now() - started
  rmSync(project, { recursive: true, force: true })
  return { ms, hits, counts }
}
