// All engines together over a large real tree (the project's node_modules), next to the I/O floor measured
// in the same run: the time to merely read every file; then the secrets engine on one thread against one
// per core, and all engines with it. Run: node --import tsx bench/engines.ts [dir]
import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join, resolve } from 'node:path'
import type { Engine } from '../shared/scanning/engine.js'
import { codeEngine } from '../shared/scanning/engines/code/index.js'
import { dependenciesEngine, memoryAdvisorySource, OsvRecord } from '../shared/scanning/engines/dependencies/index.js'
import { readOsvFiles, recordsOf } from '../shared/scanning/engines/dependencies/osv-files.js'
import { createSecretsEngine, secretsEngine } from '../shared/scanning/engines/secrets/index.js'
import { prepareFolderSource } from '../shared/scanning/source.js'

const root = resolve(process.argv[2] ?? join(import.meta.dirname, '..', 'node_modules'))
const records: OsvRecord[] = []
for await (const item of readOsvFiles(join(import.meta.dirname, '..', 'test/fixtures/osv'))) {
  if ('text' in item) for (const raw of recordsOf(item)) records.push(OsvRecord.parse(raw))
}
const engines: Engine[] = [secretsEngine, codeEngine, dependenciesEngine(memoryAdvisorySource(records))]

const source = prepareFolderSource(root, Number.POSITIVE_INFINITY)
const megabytes = source.files.reduce((sum, file) => sum + file.size, 0) / 1e6
const fmt = (n: number, digits = 1) => n.toFixed(digits)

let started = performance.now()
for (const file of source.files) readFileSync(join(root, file.path))
const floorS = (performance.now() - started) / 1000
console.log(`${source.files.length} files, ${fmt(megabytes)} MB under ${root}`)
console.log(
  `I/O floor (read every file once, page cache as it is): ${fmt(floorS, 2)} s, ${fmt(megabytes / floorS)} MB/s`,
)

let total = 0
const seconds: Record<string, number> = {}
for (const engine of engines) {
  started = performance.now()
  const found = await engine.run(source)
  seconds[engine.name] = (performance.now() - started) / 1000
  total += seconds[engine.name]!
  console.log(
    `  ${engine.name.padEnd(12)} ${fmt(seconds[engine.name]!, 2)} s, ${fmt(megabytes / seconds[engine.name]!)} MB/s over the tree, ${found.length} findings`,
  )
}
console.log(
  `all engines: ${fmt(total, 2)} s, ${fmt(megabytes / total)} MB/s, ${fmt(source.files.length / total, 0)} files/s;` +
    ` ${fmt(floorS / total, 3)}× the I/O floor`,
)

// Threads: the secrets engine alone on its own thread and on one reader thread per core (the worker reads
// on its own thread: beside the code engine the readers only cost CPU; ast-grep parses on its own Rust
// threads either way, so the code engine is timed once, above).
const secretsOn = async (threads: number) => {
  const begun = performance.now()
  await createSecretsEngine({ threads }).run(source)
  return (performance.now() - begun) / 1000
}
const cores = availableParallelism()
const [one, many] = [await secretsOn(1), await secretsOn(cores)]
const others = total - seconds.secrets! // the same run's code and dependencies times
console.log(
  `secrets on 1 thread ${fmt(one, 2)} s, on ${cores} ${fmt(many, 2)} s: ${fmt(one / many, 2)}×; ` +
    `all engines ${fmt(others + one, 2)} s → ${fmt(others + many, 2)} s: ${fmt((others + one) / (others + many), 2)}×`,
)

// At once: the engines run side by side, as the worker runs them, so the secrets engine's thread and
// ast-grep's Rust threads share the cores instead of taking turns.
const atOnce = async () => {
  const begun = performance.now()
  await Promise.all(engines.map((engine) => engine.run(source)))
  return (performance.now() - begun) / 1000
}
const together = await atOnce()
console.log(
  `all engines at once ${fmt(together, 2)} s: ${fmt((others + one) / together, 2)}× over one after another with ` +
    `secrets on 1 thread, ${fmt((others + many) / together, 2)}× over one after another on ${cores}`,
)
