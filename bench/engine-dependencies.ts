// npx node --import tsx bench/engine-dependencies.ts
// The dependencies engine, measured: (1) parse and match speed over real lockfiles present on every machine
// (the project's package-lock.json, npm's hidden node_modules/.package-lock.json, and every lockfile found under
// node_modules), against the shipped OSV advisories; (2) precision and recall over the labelled lockfile fixtures.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import {
  type AdvisorySource,
  matchDependencies,
  memoryAdvisorySource,
  OsvRecord,
  scanDependencies,
} from '../shared/scanning/engines/dependencies/index.js'
import { lockfilesOf, parseLockfile, parserFor } from '../shared/scanning/engines/dependencies/lockfiles/index.js'

const root = join(import.meta.dirname, '..')
const fixtures = join(root, 'test', 'fixtures')
const records = readdirSync(join(fixtures, 'osv'))
  .filter((name) => name.endsWith('.json'))
  .map((name) => OsvRecord.parse(JSON.parse(readFileSync(join(fixtures, 'osv', name), 'utf8'))))
const advisories = memoryAdvisorySource(records)
const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!

function walk(dir: string, found: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) walk(path, found)
    else if (entry.isFile() && (parserFor(path) || entry.name === '.package-lock.json')) found.push(path)
  }
  return found
}

function filesUnder(base: string, dir = base): { path: string; size: number }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory()
      ? filesUnder(base, path)
      : [{ path: relative(base, path), size: statSync(path).size }]
  })
}

async function speed() {
  console.log('## 1. Parse and match speed (median of 20 runs per lockfile; shipped advisories in memory)\n')
  const lockfiles = [join(root, 'package-lock.json'), ...walk(join(root, 'node_modules'))]
  console.log('| lockfile | bytes | packages | parse ms | match ms | packages/s |')
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |')
  let totalPackages = 0
  let totalMs = 0
  for (const path of lockfiles) {
    const bytes = readFileSync(path)
    // npm's hidden lockfile has package-lock's v3 shape under another name.
    const parseAs = path.endsWith('.package-lock.json')
      ? path.replace(/\.package-lock\.json$/, 'package-lock.json')
      : path
    const parseTimes: number[] = []
    const matchTimes: number[] = []
    let packages = 0
    for (let run = 0; run < 20; run++) {
      const parsedAt = performance.now()
      const { dependencies } = parseLockfile(parseAs, bytes)
      const matchedAt = performance.now()
      await matchDependencies(dependencies, advisories)
      matchTimes.push(performance.now() - matchedAt)
      parseTimes.push(matchedAt - parsedAt)
      packages = dependencies.length
    }
    const ms = median(parseTimes) + median(matchTimes)
    totalPackages += packages
    totalMs += ms
    console.log(
      `| ${relative(root, path)} | ${bytes.length} | ${packages} | ${median(parseTimes).toFixed(2)} | ` +
        `${median(matchTimes).toFixed(2)} | ${packages > 0 ? Math.round(packages / (ms / 1000)) : '-'} |`,
    )
  }
  console.log(
    `\n${lockfiles.length} lockfiles, ${totalPackages} packages in ${totalMs.toFixed(1)} ms: ` +
      `${Math.round(totalPackages / (totalMs / 1000))} packages/s (parse + match, lookups in memory)`,
  )
}

async function lookupLatency() {
  console.log(
    '\n## 1b. Advisory lookups with a store-like latency (5 ms a batch), one batch at a time against bounded\n',
  )
  const { dependencies } = parseLockfile('package-lock.json', readFileSync(join(root, 'package-lock.json')))
  const slow: AdvisorySource = {
    forPackages: async (packages) => {
      await new Promise((resolve) => setTimeout(resolve, 5))
      return advisories.forPackages(packages)
    },
    dataFor: advisories.dataFor,
  }
  for (const [concurrency, batchSize] of [
    [1, 1],
    [4, 100],
  ]) {
    const started = performance.now()
    const { packages } = await matchDependencies(dependencies, slow, { concurrency, batchSize })
    const ms = performance.now() - started
    console.log(
      `${concurrency} in flight, ${batchSize} a batch: ${packages} distinct packages of ${dependencies.length} entries in ${ms.toFixed(0)} ms`,
    )
  }
}

async function precisionRecall() {
  console.log('\n## 2. Precision and recall over the labelled lockfile fixtures\n')
  const lockfiles = join(fixtures, 'lockfiles')
  const labels = JSON.parse(readFileSync(join(lockfiles, 'labels.json'), 'utf8')) as Record<
    string,
    { vulnerable: string[]; clean: string[] }
  >
  const files = filesUnder(lockfiles)
  const scan = await scanDependencies(
    {
      root: lockfiles,
      files,
      history: { commits: [], blobs: new Map() },
      readBlob: () => Buffer.alloc(0),
      deadline: Date.now() + 60_000,
    },
    advisories,
  )
  const rows = new Map<string, { files: number; tp: number; fp: number; fn: number }>()
  for (const [path, label] of Object.entries(labels)) {
    const ecosystem = path.split('/')[0]!
    const row = rows.get(ecosystem) ?? { files: 0, tp: 0, fp: 0, fn: 0 }
    const found = new Set(
      scan.findings.filter((finding) => finding.locations[0]!.path === path).map((finding) => finding.identity),
    )
    const expected = new Set(label.vulnerable)
    row.files++
    row.tp += [...found].filter((identity) => expected.has(identity)).length
    row.fp += [...found].filter((identity) => !expected.has(identity)).length
    row.fn += [...expected].filter((identity) => !found.has(identity)).length
    rows.set(ecosystem, row)
  }
  const ratio = (a: number, b: number) => (b === 0 ? '-' : `${((100 * a) / b).toFixed(1)} %`)
  console.log('| fixtures | lockfiles | true positives | false positives | missed | precision | recall |')
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |')
  const total = { files: 0, tp: 0, fp: 0, fn: 0 }
  for (const [ecosystem, row] of rows) {
    for (const key of ['files', 'tp', 'fp', 'fn'] as const) total[key] += row[key]
    console.log(
      `| ${ecosystem} | ${row.files} | ${row.tp} | ${row.fp} | ${row.fn} | ${ratio(row.tp, row.tp + row.fp)} | ${ratio(row.tp, row.tp + row.fn)} |`,
    )
  }
  console.log(
    `| **all** | ${total.files} | ${total.tp} | ${total.fp} | ${total.fn} | ${ratio(total.tp, total.tp + total.fp)} | ${ratio(total.tp, total.tp + total.fn)} |`,
  )
  const broken = lockfilesOf(files.map((file) => file.path)).filter((path) => path.startsWith('broken/'))
  const skipped = scan.notes.filter((note) => note.startsWith('broken/') && note.includes('could not be parsed'))
  console.log(`\nbroken lockfiles skipped with a note: ${skipped.length} of ${broken.length}`)
  if (total.fp > 0 || total.fn > 0 || skipped.length !== broken.length) process.exitCode = 1
}

await speed()
await lookupLatency()
await precisionRecall()
