// `npm run scan` as a developer runs it: a real folder (a git work tree with an ignored folder), the three
// engines, JSON and SARIF out, and the exit code CI relies on.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { randomAlphanumeric, run } from '../support/git-client.js'
import { commitAll, initRepo, removeTempDirs } from '../support/git-fixtures.js'
import { commandInjectionJs, vulnerableLockfile } from '../support/sample-app.js'

afterAll(removeTempDirs)
const made: string[] = []
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true })
})

function project() {
  const dir = initRepo()
  const secret = randomAlphanumeric(40)
  writeFileSync(join(dir, 'deploy.sh'), `export AWS_SECRET_ACCESS_KEY="${secret}"\n`)
  writeFileSync(join(dir, 'server.js'), commandInjectionJs)
  writeFileSync(join(dir, 'package-lock.json'), vulnerableLockfile)
  writeFileSync(join(dir, '.gitignore'), 'ignored/\n')
  mkdirSync(join(dir, 'ignored'))
  writeFileSync(join(dir, 'ignored/also.js'), 'eval(req.body.code)\n')
  commitAll(dir, 'app')
  return { dir, secret }
}

const scan = (args: string[]) => run(process.execPath, ['--import', 'tsx', 'scripts/scan.ts', ...args])

describe('npm run scan', () => {
  it('finds a secret, a code flaw and a vulnerable dependency, skips what git ignores, and exits 1', async () => {
    const { dir, secret } = project()

    const result = await scan([dir])

    expect(result.code).toBe(1)
    const report = JSON.parse(result.out) as {
      findings: { engine: string; rule_id: string; locations: { path: string }[] }[]
    }
    const engines = new Set(report.findings.map((finding) => finding.engine))
    expect([...engines].sort()).toEqual(['code', 'dependencies', 'secrets'])
    expect(report.findings.flatMap((finding) => finding.locations.map((location) => location.path))).not.toContain(
      'ignored/also.js',
    )
    expect(result.out + result.err).not.toContain(secret)
    expect(result.err).toMatch(/scanning \d+ files/)
  }, 60_000)

  it('writes SARIF 2.1.0 with rules, CWE tags, relative paths and fingerprints; --fail-on none exits 0', async () => {
    const { dir, secret } = project()
    const out = mkdtempSync(join(tmpdir(), 'vega-sarif-'))
    made.push(out)

    const result = await scan([dir, '--format', 'sarif', '--output', join(out, 'vega.sarif'), '--fail-on', 'none'])

    expect(result.code).toBe(0)
    const text = readFileSync(join(out, 'vega.sarif'), 'utf8')
    expect(text).not.toContain(secret)
    const sarif = JSON.parse(text)
    expect(sarif.version).toBe('2.1.0')
    const [only] = sarif.runs
    expect(only.tool.driver.name).toBe('Vega')
    const tags = only.tool.driver.rules.flatMap((rule: { properties: { tags: string[] } }) => rule.properties.tags)
    expect(tags).toContain('external/cwe/cwe-798')
    for (const entry of only.results) {
      expect(only.tool.driver.rules[entry.ruleIndex].id).toBe(entry.ruleId)
      expect(entry.partialFingerprints['vega/v1']).toMatch(/^[0-9a-f]{64}$/)
      const uri: string = entry.locations[0].physicalLocation.artifactLocation.uri
      expect(uri.startsWith('/')).toBe(false)
    }
  }, 60_000)

  it('prints findings in the same order every run: by path, then line', async () => {
    const dir = initRepo()
    // Enough files for ast-grep's threads to finish them out of order.
    for (let file = 0; file < 60; file++)
      writeFileSync(
        join(dir, `server-${String(file).padStart(2, '0')}.js`),
        `${commandInjectionJs}${commandInjectionJs}`,
      )
    commitAll(dir, 'app')

    const result = await scan([dir, '--engines', 'code', '--fail-on', 'none'])

    const places = (
      JSON.parse(result.out) as { findings: { locations: { path: string; start_line: number }[] }[] }
    ).findings.map(({ locations: [first] }) => `${first!.path}:${String(first!.start_line).padStart(4, '0')}`)
    expect(places.length).toBeGreaterThanOrEqual(120)
    expect(places).toEqual([...places].sort())
  }, 60_000)

  it('refuses bad usage with exit code 2 and the usage line', async () => {
    const missing = await scan(['/no/such/folder'])
    const badFormat = await scan(['.', '--format', 'xml'])

    expect([missing.code, badFormat.code]).toEqual([2, 2])
    expect(badFormat.err).toContain('usage: npm run scan')
  })
})
