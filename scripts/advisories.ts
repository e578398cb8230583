// npm run advisories -- import <osv-zip-or-dir-or-json> [--local]
// Imports OSV advisories into Vega's store: an ecosystem's all.zip from OSV's bucket
// (https://osv-vulnerabilities.storage.googleapis.com/<ecosystem>/all.zip), a folder of records, or one JSON file.
// Re-importing is safe: a record already stored is replaced and counted as updated.
// In AWS: run with the stage's TABLE_NAME and AWS credentials. --local: against `npm start`'s emulators.
import { parseArgs } from 'node:util'
import { targetTable } from './table-target.js'

const usage = 'usage: npm run advisories -- import <osv-zip-or-dir-or-json> [--local] [--quiet]'
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { local: { type: 'boolean', default: false }, quiet: { type: 'boolean', default: false } },
})
const [command, path] = positionals
if (command !== 'import' || !path || positionals.length !== 2) {
  console.error(usage)
  process.exit(2)
}
targetTable({ local: values.local, script: 'advisories' })

// Imported after the environment is set: the store reads its configuration on first use.
const { importAdvisoriesFrom } = await import('../shared/data/advisories.js')

const progressEvery = 1000
const started = performance.now()
let reported = 0
const result = await importAdvisoriesFrom(path, {
  onProgress: (progress) => {
    if (values.quiet || progress.read - reported < progressEvery) return
    reported = progress.read
    const seconds = (performance.now() - started) / 1000
    console.log(
      `advisories: ${progress.read} records read, ${progress.imported} new, ${progress.updated} updated, ` +
        `${progress.skipped} skipped (${Math.round(progress.read / seconds)} records/s)`,
    )
  },
}).catch((error: unknown) => {
  console.error(`advisories: import failed: ${error instanceof Error ? error.message : error}`)
  process.exit(1)
})

for (const note of result.notes.slice(0, 20)) console.log(`advisories: note: ${note}`)
if (result.notes.length > 20) console.log(`advisories: … and ${result.notes.length - 20} more notes`)
const seconds = ((performance.now() - started) / 1000).toFixed(1)
console.log(
  `advisories: done in ${seconds}s: ${result.read} records read, ${result.imported} imported, ` +
    `${result.updated} updated, ${result.skipped} skipped (another ecosystem, invalid, or over the size limit)`,
)
