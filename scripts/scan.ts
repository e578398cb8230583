// The engines over a folder, with no server: what a developer runs before pushing, and what CI can run.
//   npm run scan -- <dir> [--format json|sarif] [--output file] [--fail-on critical|high|medium|low|info|none]
//                         [--engines secrets,code,dependencies] [--advisories <osv file, folder or zip>]
// In a git work tree the files are git's (tracked, and untracked but not ignored); elsewhere every file
// but .git/. Exit code 1 when a finding at or above --fail-on (default high) exists, 2 on bad usage.
import { execFileSync } from 'node:child_process'
import { statSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fingerprintOf } from '../shared/findings/fingerprint.js'
import { type SarifFinding, toSarif } from '../shared/findings/sarif.js'
import { type Engine, type EngineFinding, type Severity, severities } from '../shared/scanning/engine.js'
import { codeEngine } from '../shared/scanning/engines/code/index.js'
import { dependenciesEngine, memoryAdvisorySource } from '../shared/scanning/engines/dependencies/index.js'
import { loadOsvRecords } from '../shared/scanning/engines/dependencies/osv-files.js'
import { secretsEngine } from '../shared/scanning/engines/secrets/index.js'
import { prepareFolderSource } from '../shared/scanning/source.js'
import { commandLine, failOnValue } from './command-line.js'

const { values, positionals, fail } = commandLine(
  'usage: npm run scan -- <dir> [--format json|sarif] [--output file] [--fail-on <severity>|none] [--engines a,b] [--advisories path]',
  {
    format: { type: 'string', default: 'json' },
    output: { type: 'string' },
    'fail-on': { type: 'string', default: 'high' },
    engines: { type: 'string', default: 'secrets,code,dependencies' },
    advisories: { type: 'string', default: resolve(import.meta.dirname, '../test/fixtures/osv') },
  },
)

const root = resolve(positionals[0] ?? fail('name the folder to scan'))
if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) fail(`${root} is not a folder`)
if (values.format !== 'json' && values.format !== 'sarif') fail(`--format is json or sarif, not ${values.format}`)
const failOn = failOnValue(values['fail-on'], fail)

/** git's view of the work tree when there is one: ignored files (node_modules, build output) stay out. */
function gitFiles(): { path: string; size: number }[] | undefined {
  try {
    const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      maxBuffer: 256 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    return listed
      .toString('utf8')
      .split('\0')
      .filter(Boolean)
      .flatMap((path) => {
        const stat = statSync(resolve(root, path), { throwIfNoEntry: false })
        return stat?.isFile() ? [{ path, size: stat.size }] : []
      })
      .sort((a, b) => a.path.localeCompare(b.path))
  } catch {
    return undefined
  }
}

/** The records under a path; their data is as fresh as the file (or folder) was written. */
const advisories = async (path: string) =>
  memoryAdvisorySource(await loadOsvRecords(path), statSync(path).mtime.toISOString())

const byPlace = (a: EngineFinding, b: EngineFinding) => {
  const [x, y] = [a.locations[0], b.locations[0]]
  return (
    (x?.path ?? '').localeCompare(y?.path ?? '') ||
    (x?.start_line ?? 0) - (y?.start_line ?? 0) ||
    a.rule_id.localeCompare(b.rule_id) ||
    a.identity.localeCompare(b.identity)
  )
}

const wanted = values.engines.split(',').map((name) => name.trim())
const registry: Engine[] = []
if (wanted.includes('secrets')) registry.push(secretsEngine)
if (wanted.includes('code')) registry.push(codeEngine)
if (wanted.includes('dependencies')) registry.push(dependenciesEngine(await advisories(values.advisories)))
if (registry.length === 0) fail(`--engines names none of secrets, code, dependencies`)

const source = prepareFolderSource(root, Number.POSITIVE_INFINITY, gitFiles())
const megabytes = source.files.reduce((sum, file) => sum + file.size, 0) / 1e6
console.error(`scanning ${source.files.length} files (${megabytes.toFixed(1)} MB) in ${root}`)
const found: EngineFinding[] = []
for (const engine of registry) {
  const started = performance.now()
  const results = await engine.run(source)
  // The code engine's threads hand files back in any order: sorted, two runs over one tree print the same.
  found.push(...results.sort(byPlace))
  console.error(
    `  ${engine.name}: ${results.length} findings in ${((performance.now() - started) / 1000).toFixed(2)} s`,
  )
}

const findings: SarifFinding[] = found.map((finding) => ({ ...finding, fingerprint: fingerprintOf(finding) }))
const report =
  values.format === 'sarif'
    ? toSarif(findings, { version: process.env.npm_package_version ?? '0.0.0' })
    : { root, files: source.files.length, findings }
const text = `${JSON.stringify(report, null, 2)}\n`
if (values.output) writeFileSync(values.output, text)
else process.stdout.write(text)

const rank = (severity: Severity) => severities.indexOf(severity)
const blocking = failOn === 'none' ? [] : found.filter((finding) => rank(finding.severity) <= rank(failOn))
console.error(
  `${found.length} findings; ${blocking.length} at or above ${failOn}${values.output ? `; written to ${values.output}` : ''}`,
)
process.exitCode = blocking.length > 0 ? 1 : 0
