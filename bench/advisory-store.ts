// npx node --import tsx bench/advisory-store.ts [path to an OSV set; default the eval kit's PyPA database]
// The advisory store with a whole database in it, on DynamoDB Local (started here, in memory): how long the
// import takes, how large the store gets, how long a second import (nothing changed) takes, and how long a
// 1,000-package requirements.txt takes to scan against it: one query per package, never a pass over records.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { startDynamoDb } from '../infra/local/emulators.js'
import { ensureTable, localCredentials, localRegion } from '../infra/local/resources.js'

const setPath = resolve(process.argv[2] ?? join(import.meta.dirname, '../../shared/eval/advisories/pypi-osv.tgz'))
const dynamodb = await startDynamoDb()
const tableName = 'bench-advisories-state'
const client = new DynamoDBClient({
  region: localRegion,
  credentials: localCredentials,
  endpoint: dynamodb.endpoint,
})
await ensureTable(client, tableName)
client.destroy()
Object.assign(process.env, {
  TABLE_NAME: tableName,
  AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
  AWS_REGION: localRegion,
  AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
  UPLOADS_BUCKET: 'unused',
  SCAN_QUEUE_URL: 'https://unused.invalid/q',
  SCAN_DLQ_URL: 'https://unused.invalid/dlq',
  WEBHOOK_QUEUE_URL: 'https://unused.invalid/webhooks',
})
const { advisoryData } = await import('../shared/data/advisories.js')
const { dynamoAdvisorySource } = await import('../shared/data/advisory-lookup.js')
const { importAdvisoriesFrom } = await import('../shared/ops/advisory-import.js')
const { scanDependencies } = await import('../shared/scanning/engines/dependencies/index.js')
const { loadOsvRecords } = await import('../shared/scanning/engines/dependencies/osv-files.js')
const { packagesOf } = await import('../shared/scanning/engines/dependencies/osv.js')

const seconds = (from: number) => ((performance.now() - from) / 1000).toFixed(2)
console.log(`## The advisory store with ${setPath}\n`)

let started = performance.now()
const first = await importAdvisoriesFrom(setPath)
console.log(
  `import: ${first.read} records read, ${first.imported} stored in ${seconds(started)} s ` +
    `(${Math.round(first.read / ((performance.now() - started) / 1000))} records/s)`,
)
started = performance.now()
const again = await importAdvisoriesFrom(setPath)
console.log(
  `import again: ${again.unchanged} unchanged, ${again.imported + again.updated} written, in ${seconds(started)} s`,
)

const records = await loadOsvRecords(setPath)
const json = records.map((record) => JSON.stringify(record))
const packageCount = new Set(
  records.flatMap((record) => packagesOf(record).map((pkg) => `${pkg.ecosystem}/${pkg.name}`)),
).size
const items = records.length + packageCount
const bytes = json.reduce((sum, text) => sum + text.length, 0)
console.log(
  `store: ${items} items (one per record, one per package naming them), ~${(bytes / 1e6).toFixed(1)} MB of record JSON; ` +
    `per ecosystem: ${(await advisoryData()).map((entry) => `${entry.ecosystem} ${entry.records}`).join(', ')}`,
)

// 1,000 pins: every package the set names (at 0.0.1, below most fixes), then names no advisory mentions.
const names = [...new Set(records.flatMap((record) => packagesOf(record).map((pkg) => pkg.name)))].slice(0, 1000)
while (names.length < 1000) names.push(`vega-bench-unlisted-${names.length}`)
const project = mkdtempSync(join(tmpdir(), 'vega-bench-requirements-'))
writeFileSync(join(project, 'requirements.txt'), names.map((name) => `${name}==0.0.1`).join('\n'))
const source = {
  root: project,
  files: [{ path: 'requirements.txt', size: 0 }],
  history: { commits: [], blobs: new Map() },
  readBlob: () => Buffer.alloc(0),
  deadline: Date.now() + 300_000,
}
const runs: number[] = []
let findings = 0
for (let run = 0; run < 5; run++) {
  started = performance.now()
  const scan = await scanDependencies(source, dynamoAdvisorySource())
  runs.push(performance.now() - started)
  findings = scan.findings.length
}
runs.sort((a, b) => a - b)
console.log(
  `scan of a 1,000-package requirements.txt against the store: median ${(runs[2]! / 1000).toFixed(2)} s ` +
    `(best ${(runs[0]! / 1000).toFixed(2)} s, 5 runs), ${findings} findings; ${names.length} packages read in batches of 100`,
)
rmSync(project, { recursive: true, force: true })
await dynamodb.stop()
