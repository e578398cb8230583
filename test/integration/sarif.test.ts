// SARIF both ways against the emulators: a scan's export validates against the official SARIF 2.1.0
// schema, carries fingerprints, baseline states and suppressions; importing it into another repository
// yields the same fingerprints; a third-party tool's log becomes a scan of engine sarif:<tool>.
import { describe, expect, it } from 'vitest'
import { handler as ops } from '../../functions/ops/handler.js'
import { handler as repositories } from '../../functions/repositories/handler.js'
import { handler as triageApi } from '../../functions/triage/handler.js'
import { listFindingsOf } from '../../shared/data/findings.js'
import type { EngineFinding } from '../../shared/scanning/engine.js'
import { call, newOwner } from '../support/identity.js'
import { toolLog, toolResult } from '../support/sarif-logs.js'
import { validateSarif } from '../support/sarif-schema.js'
import { repositoryOf, succeededScan } from '../support/scans.js'

const secretValue = `sk_live_${'9'.repeat(4)}${Math.random().toString(36).slice(2)}`
const findingsOf = (): EngineFinding[] => [
  {
    engine: 'secrets',
    rule_id: 'stripe-secret-key',
    severity: 'critical',
    title: 'Stripe secret key',
    message: 'A live Stripe key',
    cwe: ['CWE-798'],
    fix: 'Roll the key',
    identity: 'c'.repeat(64),
    fingerprint: 'e'.repeat(64),
    locations: [
      { path: 'config/pay.env', start_line: 1, end_line: 1, snippet: 'STRIPE=sk_l****', commit: 'a'.repeat(40) },
    ],
    metadata: {},
  },
  {
    engine: 'code',
    rule_id: 'js-sql-injection',
    severity: 'high',
    title: 'SQL built from input',
    message: 'Query text concatenates input',
    cwe: ['CWE-89'],
    fix: 'Use parameters',
    identity: 'db.query("SELECT * FROM t WHERE id=" + req.query.id)',
    locations: [{ path: 'src/db file.js', start_line: 7, end_line: 7, snippet: 'db.query(...)' }],
    metadata: { language: 'javascript' },
  },
  {
    engine: 'code',
    rule_id: 'js-weak-random',
    severity: 'medium',
    title: 'Math.random for a token',
    message: 'Weak randomness',
    cwe: ['CWE-338'],
    fix: 'Use crypto.randomBytes',
    identity: 'Math.random()',
    locations: [{ path: 'src/token.js', start_line: 3, end_line: 3, snippet: 'Math.random()' }],
    metadata: {},
  },
]

describe('SARIF', () => {
  it('exports a scan that validates against SARIF 2.1.0, with fingerprints, baseline states and suppressions', async () => {
    const owner = await newOwner()
    const repository = await repositoryOf(owner)
    await succeededScan(repository, findingsOf().slice(0, 2))
    const weak = (await listFindingsOf(repository.id, { limit: 10 })).items.find(
      (f) => f.rule_id === 'js-sql-injection',
    )!
    await call(repositories, 'PATCH', `/v1/repositories/${repository.id}/findings/${weak.id}`, {
      as: owner.token,
      body: { status: 'dismissed', reason: 'false_positive', comment: 'the id is a number' },
    })
    const second = await succeededScan(repository, findingsOf())

    const answer = await call(repositories, 'GET', `/v1/repositories/${repository.id}/scans/${second}/sarif`, {
      as: owner.token,
    })

    expect(answer.status).toBe(200)
    expect(answer.headers['content-type']).toBe('application/sarif+json')
    const log = JSON.parse(answer.text)
    expect(validateSarif(log), JSON.stringify(validateSarif.errors)).toBe(true)
    const results = log.runs[0].results as {
      ruleId: string
      baselineState: string
      partialFingerprints: Record<string, string>
      suppressions?: { justification: string }[]
      locations: { physicalLocation: { artifactLocation: { uri: string } } }[]
    }[]
    const byRule = Object.fromEntries(results.map((result) => [result.ruleId, result]))
    expect(byRule['js-weak-random']!.baselineState).toBe('new')
    expect(byRule['stripe-secret-key']!.baselineState).toBe('unchanged')
    expect(byRule['js-sql-injection']!.suppressions?.[0]?.justification).toContain('the id is a number')
    expect(byRule['js-sql-injection']!.locations[0]!.physicalLocation.artifactLocation.uri).toBe('src/db%20file.js')
    const stored = await listFindingsOf(repository.id, { limit: 10 })
    expect(results.map((result) => result.partialFingerprints['vega/v1']).sort()).toEqual(
      stored.items.map((finding) => finding.fingerprint).sort(),
    )
    expect(answer.text).not.toContain(secretValue)
  })

  it('imports an export into another repository with the same fingerprints and the dismissals kept', async () => {
    const owner = await newOwner()
    const [from, into] = [await repositoryOf(owner), await repositoryOf(owner)]
    await succeededScan(from, findingsOf())
    const fromFindings = (await listFindingsOf(from.id, { limit: 10 })).items
    const sql = fromFindings.find((f) => f.rule_id === 'js-sql-injection')!
    await call(repositories, 'PATCH', `/v1/repositories/${from.id}/findings/${sql.id}`, {
      as: owner.token,
      body: { status: 'dismissed', reason: 'wont_fix' },
    })
    const scanId = await succeededScan(from, findingsOf())
    const log = JSON.parse(
      (await call(repositories, 'GET', `/v1/repositories/${from.id}/scans/${scanId}/sarif`, { as: owner.token })).text,
    )

    const imported = await call(triageApi, 'POST', `/v1/repositories/${into.id}/sarif`, { as: owner.token, body: log })

    expect(imported.status).toBe(201)
    expect(imported.json.findings).toBe(3)
    const intoFindings = (await listFindingsOf(into.id, { limit: 10 })).items
    expect(intoFindings.map((f) => f.fingerprint).sort()).toEqual(fromFindings.map((f) => f.fingerprint).sort())
    expect(new Set(intoFindings.map((f) => f.engine))).toEqual(new Set(['sarif:Vega']))
    expect(intoFindings.find((f) => f.rule_id === 'js-sql-injection')!.status).toBe('dismissed')
    const scan = await call(repositories, 'GET', `/v1/repositories/${into.id}/scans/${imported.json.scan_id}`, {
      as: owner.token,
    })
    expect(scan.json).toMatchObject({ status: 'succeeded', engines: ['sarif:Vega'], gate: { verdict: 'failed' } })
  })

  it("takes a third-party tool's log as engine sarif:<tool>; importing it again adds nothing", async () => {
    const owner = await newOwner()
    const repository = await repositoryOf(owner)
    const log = toolLog(
      'semgrep',
      [{ id: 'python.flask.xss', shortDescription: { text: 'XSS' }, properties: { tags: ['CWE-79'] } }],
      [
        toolResult('python.flask.xss', 'app/views.py', {
          level: 'error',
          text: 'Unescaped input in a template',
          region: { startLine: 12 },
        }),
      ],
    )
    const post = () =>
      call(triageApi, 'POST', `/v1/repositories/${repository.id}/sarif`, { as: owner.token, body: log })

    const first = await post()
    const second = await post()

    expect([first.status, second.status]).toEqual([201, 201])
    const findings = (await listFindingsOf(repository.id, { limit: 10 })).items
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({
      engine: 'sarif:semgrep',
      severity: 'high',
      path: 'app/views.py',
      start_line: 12,
      cwe: ['CWE-79'],
      last_seen_scan_id: second.json.scan_id,
    })
  })

  it('checks an import as every scan is: past scans_per_day it answers 429 and records nothing', async () => {
    const owner = await newOwner()
    const repository = await repositoryOf(owner)
    const log = (uri: string) => toolLog('semgrep', [{ id: 'x' }], [toolResult('x', uri)])
    const limited = await call(ops, 'PUT', '/v1/ops/limits', {
      as: owner.token,
      body: { limits: { scans_per_day: 1 } },
    })
    expect(limited.status).toBe(200)
    const post = (uri: string) =>
      call(triageApi, 'POST', `/v1/repositories/${repository.id}/sarif`, { as: owner.token, body: log(uri) })

    const accepted = await post('a.py')
    const refused = await post('b.py')

    expect(accepted.status).toBe(201)
    expect(refused.status).toBe(429)
    expect(refused.json.error).toMatchObject({ code: 'quota_exceeded', details: { limit: 'scans_per_day' } })
    expect((await listFindingsOf(repository.id, { limit: 10 })).items.map((f) => f.path)).toEqual(['a.py'])
    const scans = await call(repositories, 'GET', `/v1/repositories/${repository.id}/scans`, { as: owner.token })
    expect(scans.json.items).toHaveLength(1)
  })

  it('refuses a log that is not SARIF 2.1.0 (422) and keeps other workspaces out (404)', async () => {
    const owner = await newOwner()
    const intruder = await newOwner('intruder')
    const repository = await repositoryOf(owner)

    const wrongVersion = await call(triageApi, 'POST', `/v1/repositories/${repository.id}/sarif`, {
      as: owner.token,
      body: { version: '2.0.0', runs: [] },
    })
    const foreign = await call(triageApi, 'POST', `/v1/repositories/${repository.id}/sarif`, {
      as: intruder.token,
      body: { version: '2.1.0', runs: [] },
    })

    expect([wrongVersion.status, foreign.status]).toEqual([422, 404])
    expect((await listFindingsOf(repository.id, { limit: 10 })).items).toEqual([])
  })
})
