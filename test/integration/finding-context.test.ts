// A finding's context (test, example, docs, vendored, build; none for the product's own code) and data
// flow, stored by the worker and served by the API: the `context` filter of the finding list and of bulk
// triage, the policy condition on it, and SARIF's `properties.context` and `codeFlows`.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb'
import { describe, expect, it } from 'vitest'
import { handler as repositories } from '../../functions/repositories/handler.js'
import { handler as triageApi } from '../../functions/triage/handler.js'
import { documents } from '../../shared/aws/clients.js'
import { tableName } from '../../shared/data/db.js'
import { listFindingsOf } from '../../shared/data/findings.js'
import * as keys from '../../shared/data/keys.js'
import type { Policy } from '../../shared/data/policies.js'
import { effectOf } from '../../shared/findings/policy.js'
import { ErrorEnvelope } from '../../shared/http/envelope-schema.js'
import type { EngineFinding, FlowStep } from '../../shared/scanning/engine.js'
import { kinds } from '../fixtures/secrets/generate.js'
import { call, newOwner } from '../support/identity.js'
import { leakedPieces } from '../support/leaks.js'
import { toolLog, toolResult } from '../support/sarif-logs.js'
import { validateSarif } from '../support/sarif-schema.js'
import { codeFinding, repositoryOf, succeededScan } from '../support/scans.js'

type Answer = Awaited<ReturnType<typeof call>>

const flow: FlowStep[] = [
  { path: 'src/app.js', line: 3, snippet: 'const id = req.query.id', note: 'req.query.id (source)' },
  { path: 'src/app.js', line: 4, snippet: 'const sql = "SELECT " + id', note: 'sql = "SELECT " + id' },
  { path: 'src/app.js', line: 5, snippet: 'db.query(sql)', note: 'db.query(sql) (sink)' },
]

const found = (): EngineFinding[] => [
  codeFinding('src/app.js', { line: 5, text: 'db.query(sql)', rule_id: 'js-sql-injection', flow }),
  codeFinding('test/app.test.js', { line: 2, text: 'eval(x)', severity: 'medium', context: 'test' }),
  codeFinding('docs/guide.md', { line: 9, text: 'eval(y)', severity: 'low', context: 'docs' }),
  codeFinding('vendor/lib.js', { line: 1, text: 'eval(z)', severity: 'medium', context: 'vendored' }),
]

function expectEnvelope(answer: Answer, status: number, code: string) {
  expect(answer.status, answer.text).toBe(status)
  expect(answer.headers['content-type']).toBe('application/json')
  expect(ErrorEnvelope.parse(answer.json).error.code).toBe(code)
  expect(answer.json.error.details.request_id).toBe(answer.headers['x-request-id'])
}

const paths = (answer: Answer) => answer.json.items.map((f: { path: string }) => f.path).sort()

describe('finding context and flow', () => {
  it('stores context and flow and filters the list by context; none is the product code', async () => {
    const owner = await newOwner()
    const repository = await repositoryOf(owner)
    await succeededScan(repository, found())
    const list = (query: string, as = owner.token) =>
      call(repositories, 'GET', `/v1/repositories/${repository.id}/findings`, { as, query })

    const all = await list('')
    const some = await list('context=test,docs')
    const product = await list('context=none')
    const mixed = await list('context=none,vendored')
    const intruder = await newOwner('intruder')

    expect(all.status, all.text).toBe(200)
    const byPath = Object.fromEntries(
      all.json.items.map((f: { path: string; context: string | null; flow: FlowStep[] | null }) => [f.path, f]),
    )
    expect(byPath['src/app.js']).toMatchObject({ context: null, flow })
    expect(byPath['test/app.test.js']).toMatchObject({ context: 'test', flow: null })
    expect(paths(some)).toEqual(['docs/guide.md', 'test/app.test.js'])
    expect(paths(product)).toEqual(['src/app.js'])
    expect(paths(mixed)).toEqual(['src/app.js', 'vendor/lib.js'])
    const one = await call(
      repositories,
      'GET',
      `/v1/repositories/${repository.id}/findings/${byPath['src/app.js'].id}`,
      {
        as: owner.token,
      },
    )
    expect(one.json).toMatchObject({ context: null, flow })
    expectEnvelope(await list('context=test', intruder.token), 404, 'not_found')
  })

  it.each(['context=prod', 'context=', 'context=test,,docs', 'context=TEST', `context=${'test,'.repeat(50)}test`])(
    'refuses %s with 422 and the error envelope',
    async (query) => {
      const owner = await newOwner()
      const repository = await repositoryOf(owner)

      const answer = await call(repositories, 'GET', `/v1/repositories/${repository.id}/findings`, {
        as: owner.token,
        query,
      })

      expectEnvelope(answer, 422, 'validation_failed')
      expect(answer.json.error.details.issues[0].path).toContain('context')
    },
  )

  it('counts a finding stored before contexts existed as product code', async () => {
    const owner = await newOwner()
    const repository = await repositoryOf(owner)
    await succeededScan(repository, [codeFinding('src/old.js', { line: 1, text: 'eval(old)' })])
    const [old] = (await listFindingsOf(repository.id, { limit: 10 })).items
    await documents().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.findingById(old!.id),
        UpdateExpression: 'REMOVE #context, #flow',
        ExpressionAttributeNames: { '#context': 'context', '#flow': 'flow' },
      }),
    )

    const answer = await call(repositories, 'GET', `/v1/repositories/${repository.id}/findings`, {
      as: owner.token,
      query: 'context=none',
    })

    expect(answer.json.items).toMatchObject([{ path: 'src/old.js', context: null, flow: null }])
  })

  it('triages in bulk by context, and refuses a bad context in the filter with 422', async () => {
    const owner = await newOwner()
    const repository = await repositoryOf(owner)
    await succeededScan(repository, found())
    const url = `/v1/repositories/${repository.id}/findings/triage`
    const body = { filter: { context: ['test', 'docs'] }, status: 'dismissed', reason: 'used_in_tests' }

    const dry = await call(repositories, 'POST', url, { as: owner.token, body })
    const bad = await call(repositories, 'POST', url, {
      as: owner.token,
      body: { ...body, filter: { context: ['tests'] } },
    })
    const empty = await call(repositories, 'POST', url, { as: owner.token, body: { ...body, filter: { context: [] } } })

    expect(dry.json).toMatchObject({ dry_run: true, matched: 2, dismissed: 2 })
    expectEnvelope(bad, 422, 'validation_failed')
    expectEnvelope(empty, 422, 'validation_failed')
  })

  it('lets a policy act on context, and refuses an unknown context in a policy', async () => {
    const owner = await newOwner()
    const repository = await repositoryOf(owner)
    await succeededScan(repository, found())
    const records = (await listFindingsOf(repository.id, { limit: 10 })).items
    const policy: Policy = {
      rules: [
        {
          name: 'ignore-tests',
          effect: 'ignore',
          conditions: [{ field: 'context', operator: 'in', value: ['test', 'docs'] }],
        },
        { name: 'block-product', effect: 'block', conditions: [{ field: 'context', operator: 'eq', value: 'none' }] },
      ],
      default: 'warn',
    }

    const effects = Object.fromEntries(records.map((f) => [f.path, effectOf(policy, f, true).rule]))
    const refused = await call(triageApi, 'PUT', `/v1/workspaces/${owner.workspaceId}/policy`, {
      as: owner.token,
      body: {
        rules: [{ name: 'x', effect: 'block', conditions: [{ field: 'context', operator: 'eq', value: 'tests' }] }],
        default: 'warn',
      },
    })
    const accepted = await call(triageApi, 'PUT', `/v1/workspaces/${owner.workspaceId}/policy`, {
      as: owner.token,
      body: policy,
    })

    expect(effects).toEqual({
      'src/app.js': 'block-product',
      'test/app.test.js': 'ignore-tests',
      'docs/guide.md': 'ignore-tests',
      'vendor/lib.js': '(default)',
    })
    expectEnvelope(refused, 422, 'validation_failed')
    expect(accepted.status, accepted.text).toBe(200)
  })

  it('writes context as a result property and flow as codeFlows in SARIF, valid against 2.1.0', async () => {
    const owner = await newOwner()
    const repository = await repositoryOf(owner)
    const scanId = await succeededScan(repository, found())

    const answer = await call(repositories, 'GET', `/v1/repositories/${repository.id}/scans/${scanId}/sarif`, {
      as: owner.token,
    })

    expect(answer.status).toBe(200)
    const log = JSON.parse(answer.text)
    expect(validateSarif(log), JSON.stringify(validateSarif.errors)).toBe(true)
    const results = log.runs[0].results as {
      ruleId: string
      properties: { context?: string }
      codeFlows?: { threadFlows: { locations: { location: { message: { text: string } }; kinds: string[] }[] }[] }[]
      locations: { physicalLocation: { artifactLocation: { uri: string } } }[]
    }[]
    const byPath = Object.fromEntries(results.map((r) => [r.locations[0]!.physicalLocation.artifactLocation.uri, r]))
    expect(byPath['test/app.test.js']!.properties.context).toBe('test')
    expect(byPath['src/app.js']!.properties.context).toBeUndefined()
    const steps = byPath['src/app.js']!.codeFlows![0]!.threadFlows[0]!.locations
    expect(steps.map((step) => step.location.message.text)).toEqual(flow.map((step) => step.note))
    expect(steps.map((step) => step.kinds[0])).toEqual(['source', 'pass-through', 'sink'])
    expect(byPath['docs/guide.md']!.codeFlows).toBeUndefined()
  })

  it('redacts a secret a third-party tool wrote into its SARIF snippet or message, and reads its context', async () => {
    const owner = await newOwner()
    const repository = await repositoryOf(owner)
    const token = kinds.github_token!.make()
    const log = toolLog(
      'gitleaks',
      [{ id: 'github-pat' }],
      [
        toolResult('github-pat', 'test/ci.sh', {
          text: `github-pat has detected secret ${token} for file test/ci.sh.`,
          region: { startLine: 2, snippet: { text: token } },
          properties: { context: 'docs' },
        }),
      ],
    )

    const imported = await call(triageApi, 'POST', `/v1/repositories/${repository.id}/sarif`, {
      as: owner.token,
      body: log,
    })
    const listed = await call(repositories, 'GET', `/v1/repositories/${repository.id}/findings`, { as: owner.token })

    expect(imported.status, imported.text).toBeLessThan(300)
    expect(listed.json.items).toMatchObject([
      { context: 'docs', snippet: expect.stringMatching(/^gh[pousr]_\[github-token, 36 chars, #[0-9a-f]{6}\]$/) },
    ])
    expect(leakedPieces(listed.text, token, 'github-token', 8)).toEqual([])
  })
})
