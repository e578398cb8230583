// npm run advisories -- import <osv-zip-tgz-dir-or-file> [--local] [--quiet]
// npm run advisories -- sync [--from URL|DIR] [--ecosystems npm,PyPI,…] [--local]
// import: OSV advisories from an ecosystem's all.zip (https://osv-vulnerabilities.storage.googleapis.com/<ecosystem>/all.zip),
// a .tar.gz or folder of OSV JSON or YAML records (PyPA's advisory-database), or one JSON file. Importing the
// same data again writes nothing (records the store holds at the same modification are left alone).
// sync: what the daily function runs: each ecosystem from OSV's export (or a mirror: a URL or a folder with
// the same layout), all.zip the first time, only the changed records after.
// In AWS: run with the stage's TABLE_NAME and AWS credentials. --local: against `npm start`'s emulators.
import { ecosystems, isEcosystem } from '../shared/scanning/engines/dependencies/types.js'
import { commandLine } from './command-line.js'
import { targetTable } from './table-target.js'

const { positionals, values, fail } = commandLine(
  'usage: npm run advisories -- import <osv-zip-tgz-dir-or-file> [--local] [--quiet]\n' +
    '       npm run advisories -- sync [--from URL|DIR] [--ecosystems a,b] [--local]',
  {
    local: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    from: { type: 'string' },
    ecosystems: { type: 'string' },
  },
)
const [command, path] = positionals
if (command === 'import' && (!path || positionals.length !== 2)) fail('import takes one path')
if (command === 'sync' && positionals.length !== 1) fail('sync takes no path: name the export with --from')
if (command !== 'import' && command !== 'sync') fail('name a command: import or sync')
const chosen = values.ecosystems?.split(',').map((name) => name.trim()) ?? [...ecosystems]
const unknown = chosen.filter((name) => !isEcosystem(name))
if (unknown.length > 0) fail(`--ecosystems: ${unknown.join(', ')} is not one of ${ecosystems.join(', ')}`)
targetTable({ local: values.local, script: 'advisories' })

const started = performance.now()
const elapsed = () => ((performance.now() - started) / 1000).toFixed(1)

if (command === 'sync') {
  // Imported after the environment is set: the store reads its configuration on first use.
  const { config } = await import('../shared/config.js')
  const { syncAdvisories } = await import('../shared/ops/advisory-sync.js')
  const from = values.from ?? config().ADVISORY_EXPORT_URL
  console.log(`advisories: syncing ${chosen.join(', ')} from ${from}`)
  const { failed } = await syncAdvisories({
    from,
    ecosystems: chosen.filter(isEcosystem),
    onProgress: (line) => console.log(`advisories: ${line}`),
  })
  console.log(`advisories: sync done in ${elapsed()}s${failed.length > 0 ? `; ${failed.length} failed` : ''}`)
  process.exit(failed.length > 0 ? 1 : 0)
}

const { importAdvisoriesFrom } = await import('../shared/ops/advisory-import.js')
const progressEvery = 1000
let reported = 0
const result = await importAdvisoriesFrom(path!, {
  onProgress: (progress) => {
    if (values.quiet || progress.read - reported < progressEvery) return
    reported = progress.read
    const seconds = (performance.now() - started) / 1000
    console.log(
      `advisories: ${progress.read} records read, ${progress.imported} new, ${progress.updated} updated, ` +
        `${progress.unchanged} unchanged, ${progress.skipped} skipped (${Math.round(progress.read / seconds)} records/s)`,
    )
  },
}).catch((error: unknown) => {
  console.error(`advisories: import failed: ${error instanceof Error ? error.message : error}`)
  process.exit(1)
})

for (const note of result.notes.slice(0, 20)) console.log(`advisories: note: ${note}`)
if (result.notes.length > 20) console.log(`advisories: … and ${result.notes.length - 20} more notes`)
console.log(
  `advisories: done in ${elapsed()}s: ${result.read} records read, ${result.imported} imported, ` +
    `${result.updated} updated, ${result.unchanged} unchanged, ${result.skipped} skipped (another ecosystem, invalid, or over the size limit)`,
)
