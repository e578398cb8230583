// All engines together over a large real tree (the project's node_modules), next to the I/O floor measured
// in the same run: the time to merely read every file. Run: node --import tsx bench/engines.ts [dir]
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Engine } from '../shared/scanning/engine.js'
import { codeEngine } from '../shared/scanning/engines/code/index.js'
import { dependenciesEngine, memoryAdvisorySource, OsvRecord } from '../shared/scanning/engines/dependencies/index.js'
import { readOsvFiles, recordsOf } from '../shared/scanning/engines/dependencies/osv-files.js'
import { secretsEngine } from '../shared/scanning/engines/secrets/index.js'
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
for (const engine of engines) {
  started = performance.now()
  const found = await engine.run(source)
  const seconds = (performance.now() - started) / 1000
  total += seconds
  console.log(
    `  ${engine.name.padEnd(12)} ${fmt(seconds, 2)} s, ${fmt(megabytes / seconds)} MB/s over the tree, ${found.length} findings`,
  )
}
console.log(
  `all engines: ${fmt(total, 2)} s, ${fmt(megabytes / total)} MB/s, ${fmt(source.files.length / total, 0)} files/s;` +
    ` ${fmt(floorS / total, 3)}× the I/O floor`,
)
