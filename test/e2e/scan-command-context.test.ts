// `npm run scan -- DIR --format sarif` writes a finding's context as `properties.context` and a data-flow
// finding's steps as `codeFlows`, and nothing of a secret beyond its public prefix.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { toSarif } from '../../shared/findings/sarif.js'
import type { FlowStep } from '../../shared/scanning/engine.js'
import { run } from '../support/git-client.js'
import { commitAll, initRepo, removeTempDirs, tempDir } from '../support/git-fixtures.js'
import { leakedPieces } from '../support/leaks.js'
import { validateSarif } from '../support/sarif-schema.js'

afterAll(removeTempDirs)

const scan = (args: string[]) => run(process.execPath, ['--import', 'tsx', 'scripts/scan.ts', ...args])

interface Result {
  ruleId: string
  properties: { context?: string; severity: string }
  locations: { physicalLocation: { artifactLocation: { uri: string } } }[]
}

describe('the scan command, SARIF out', () => {
  it('tags a secret found only in a test file with properties.context, and redacts it', async () => {
    const dir = initRepo()
    // Built here, so the repository itself holds no string shaped like a live key.
    const live = ['sk', 'live', ''].join('_')
    const testKey = `${live}Xq7mHv4pRt9wKj2nBz8cLs5dYg3k`
    const productKey = `${live}Pw6tNk3rZq8vMh2xTy7jGs4uVb9e`
    mkdirSync(join(dir, 'test'))
    writeFileSync(join(dir, 'test/pay.test.js'), `const stripeKey = '${testKey}'\n`)
    writeFileSync(join(dir, 'pay.js'), `const stripeKey = '${productKey}'\n`)
    commitAll(dir, 'app')
    const out = join(tempDir(), 'out.sarif')

    const ran = await scan([dir, '--format', 'sarif', '--output', out, '--engines', 'secrets', '--fail-on', 'none'])

    expect(ran.code, ran.err).toBe(0)
    const text = readFileSync(out, 'utf8')
    const log = JSON.parse(text)
    expect(validateSarif(log), JSON.stringify(validateSarif.errors)).toBe(true)
    const byPath = Object.fromEntries(
      (log.runs[0].results as Result[]).map((r) => [r.locations[0]!.physicalLocation.artifactLocation.uri, r]),
    )
    expect(byPath['test/pay.test.js']!.properties).toMatchObject({ context: 'test', severity: 'high' })
    expect(byPath['pay.js']!.properties).toMatchObject({ severity: 'critical' })
    expect(byPath['pay.js']!.properties.context).toBeUndefined()
    for (const key of [testKey, productKey]) expect(leakedPieces(text, key, 'stripe-secret-key')).toEqual([])
  }, 60_000)

  it('writes a flow as one thread flow from source to sink', () => {
    const flow: FlowStep[] = [
      { path: 'app.py', line: 4, snippet: "q = request.args.get('q')", note: "request.args.get('q') (source)" },
      { path: 'app.py', line: 6, snippet: 'cursor.execute(sql)', note: 'cursor.execute(sql) (sink)' },
    ]
    const log = toSarif(
      [
        {
          engine: 'code',
          rule_id: 'py-sql-injection',
          severity: 'high',
          title: 'SQL from input',
          message: 'Input reaches a query',
          cwe: ['CWE-89'],
          fix: 'Use parameters',
          fingerprint: 'f'.repeat(64),
          locations: [{ path: 'app.py', start_line: 6, end_line: 6, snippet: 'cursor.execute(sql)' }],
          context: 'example',
          flow,
        },
      ],
      { version: '0.0.0' },
    )

    expect(validateSarif(log), JSON.stringify(validateSarif.errors)).toBe(true)
    const [result] = log.runs[0]!.results
    expect(result!.properties).toMatchObject({ context: 'example' })
    expect(result!.codeFlows![0]!.threadFlows[0]!.locations.map((step) => step.kinds[0])).toEqual(['source', 'sink'])
  })
})
