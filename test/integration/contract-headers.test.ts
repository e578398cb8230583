// #22 item 12 over the handlers' HTTP events (the local server's event factory): Link rel="next" beside
// next_cursor, ETag and Cache-Control (and 304) on lists and SARIF, CSV written by csv-stringify with
// quoting and the totals outside the data rows, ?format=csv, and the worker's one INFO line per scan.
import type { Context } from 'aws-lambda'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { handler as billing } from '../../functions/billing/handler.js'
import { handler as projects } from '../../functions/projects/handler.js'
import { handler as repositories } from '../../functions/repositories/handler.js'
import { handler as worker } from '../../functions/scan-worker/handler.js'
import { type ApiServer, startApiServer } from '../../infra/local/server.js'
import { sqsEvent, sqsRecord } from '../../infra/local/sqs-event.js'
import { meterScan } from '../../shared/billing/meter.js'
import { createProject } from '../../shared/data/projects.js'
import { createRepository } from '../../shared/data/repositories.js'
import { newId } from '../../shared/ids.js'
import { logger } from '../../shared/log.js'
import { committedPack, removeTempDirs } from '../support/git-fixtures.js'
import { type CallOptions, call, newOwner } from '../support/identity.js'
import { captureLogs } from '../support/logs.js'
import { codeFinding, queuedPackScan, repositoryOf, scanOf, succeededScan } from '../support/scans.js'

afterAll(removeTempDirs)
afterEach(() => {
  logger.setLogLevel('SILENT')
  vi.restoreAllMocks()
})

const getSummary = (options: CallOptions) => call(billing, 'GET', '/v1/billing/summary', options)

/** The target of a `Link` header's relation, as the path and query a test can call again. */
function linkTarget(link: string | undefined, rel: string) {
  const match = (link ?? '').split(/,\s*(?=<)/).find((part) => part.includes(`rel="${rel}"`))
  if (!match) return undefined
  const url = new URL(match.slice(match.indexOf('<') + 1, match.indexOf('>')))
  return { path: url.pathname, query: url.search.slice(1), params: url.searchParams }
}

describe('list answers', () => {
  it('carry Link rel="next" beside next_cursor, and following it walks the list to a last page without one', async () => {
    const owner = await newOwner('link')
    for (let i = 0; i < 5; i++) await createProject(owner.workspaceId, { name: `l${i}` })

    const seen: string[] = []
    let target: ReturnType<typeof linkTarget> = {
      path: '/v1/projects',
      query: 'limit=2',
      params: new URLSearchParams(),
    }
    let pages = 0
    while (target) {
      const page = await call(projects, 'GET', target.path, { as: owner.token, query: target.query })
      expect(page.status).toBe(200)
      seen.push(...page.json.items.map((project: { id: string }) => project.id))
      target = linkTarget(page.headers.link, 'next')
      if (page.json.next_cursor) {
        expect(target?.params.get('cursor')).toBe(page.json.next_cursor)
        expect(target?.params.get('limit')).toBe('2')
        expect(page.headers.link).toMatch(/^<http[^>]+\/v1\/projects\?[^>]+>; rel="next"$/)
      } else expect(page.headers.link).toBeUndefined()
      pages++
    }

    expect(pages).toBe(3)
    expect(new Set(seen).size).toBe(5)
  })

  it('keep their filters in the next link, and carry an ETag, Cache-Control and 304 while unchanged', async () => {
    const owner = await newOwner('etag')
    for (let i = 0; i < 3; i++) await createProject(owner.workspaceId, { name: `e${i}` })
    const query = `workspace_id=${owner.workspaceId}&limit=1`

    const first = await call(projects, 'GET', '/v1/projects', { as: owner.token, query })
    const again = await call(projects, 'GET', '/v1/projects', {
      as: owner.token,
      query,
      headers: { 'if-none-match': first.headers.etag! },
    })
    const head = await call(projects, 'HEAD', '/v1/projects', { as: owner.token, query })
    await createProject(owner.workspaceId, { name: 'e-later' })
    const lastPage = linkTarget(first.headers.link, 'next')!
    const changedQuery = `workspace_id=${owner.workspaceId}&limit=50`
    const before = await call(projects, 'GET', '/v1/projects', { as: owner.token, query: changedQuery })
    await createProject(owner.workspaceId, { name: 'e-latest' })
    const after = await call(projects, 'GET', '/v1/projects', {
      as: owner.token,
      query: changedQuery,
      headers: { 'if-none-match': before.headers.etag! },
    })

    expect(lastPage.params.get('workspace_id')).toBe(owner.workspaceId)
    expect(first.headers.etag).toMatch(/^"[\w-]{27}"$/)
    expect(first.headers['cache-control']).toBe('private, no-cache')
    expect(again.status).toBe(304)
    expect(again.text).toBe('')
    expect(again.headers.etag).toBe(first.headers.etag)
    expect(head.status).toBe(200)
    expect(head.headers.etag).toBe(first.headers.etag)
    expect(after.status).toBe(200)
    expect(after.headers.etag).not.toBe(before.headers.etag)
  })
})

describe('SARIF export', () => {
  it('carries an ETag and Cache-Control, answers 304 to a client that holds it, and what GitHub reads', async () => {
    const owner = await newOwner('sarif-etag')
    const repository = await repositoryOf(owner)
    const scanId = await succeededScan(repository, [codeFinding('src/a.js')], ['code'])
    const path = `/v1/repositories/${repository.id}/scans/${scanId}/sarif`

    const first = await call(repositories, 'GET', path, { as: owner.token })
    const again = await call(repositories, 'GET', path, {
      as: owner.token,
      headers: { 'if-none-match': `W/${first.headers.etag}, "other"` },
    })

    expect(first.status).toBe(200)
    expect(first.headers['content-type']).toBe('application/sarif+json')
    expect(first.headers.etag).toMatch(/^"[\w-]{27}"$/)
    expect(first.headers['cache-control']).toBe('private, no-cache')
    expect(again.status).toBe(304)
    expect(again.text).toBe('')
    // What GitHub reads (#22 item 11): semanticVersion, automationDetails.id, a rule name that is not its id.
    const [run] = first.json.runs
    expect(run.tool.driver.semanticVersion).toMatch(/^\d+\.\d+\.\d+/)
    expect(run.automationDetails.id).toBe(`vega/${repository.id}/${scanId}`)
    expect(run.tool.driver.rules[0]).toMatchObject({ id: 'js-code-injection', name: 'JsCodeInjection' })
  })
})

describe('billing CSV', () => {
  async function workspaceWithCommaNames() {
    const owner = await newOwner('csv')
    const acme = await createProject(owner.workspaceId, { name: 'Acme, Inc. "payments"' })
    const plain = await createProject(owner.workspaceId, { name: 'plain' })
    for (const [project, n] of [
      [acme, 2],
      [plain, 1],
    ] as const) {
      const repository = await createRepository(project, { name: 'r' })
      for (let i = 0; i < n; i++)
        await meterScan(
          scanOf(repository, {
            status: 'succeeded',
            input: { kind: 'pack', key: `uploads/test/${newId('upload')}.pack`, bytes: 1000 },
          }),
          { files: 10, bytes: 1_000_000, commits: 1, duration_ms: 1000 },
        )
    }
    return { owner, acme, plain }
  }

  it('quotes a name with a comma and quotes, keeps the totals out of the data rows, and works with ?format=csv', async () => {
    const { owner, acme, plain } = await workspaceWithCommaNames()

    const json = await getSummary({ as: owner.token, query: 'group_by=project' })
    const byAccept = await getSummary({ as: owner.token, query: 'group_by=project', headers: { accept: 'text/csv' } })
    const byQuery = await getSummary({ as: owner.token, query: 'group_by=project&format=csv' })
    const jsonWins = await getSummary({
      as: owner.token,
      query: 'group_by=project&format=json',
      headers: { accept: 'text/csv' },
    })

    expect(byAccept.status).toBe(200)
    expect(byQuery.status).toBe(200)
    expect(byQuery.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(byQuery.text).toBe(byAccept.text)
    expect(jsonWins.headers['content-type']).toBe('application/json')
    const lines = byQuery.text.split('\r\n')
    expect(lines.at(-1)).toBe('')
    expect(lines.slice(0, -1)).toEqual([
      'project,name,scans,files,bytes,commits,duration_ms,cost,currency',
      ...[acme, plain]
        .sort((a, b) => a.id.localeCompare(b.id))
        .map((project) => {
          const group = json.json.groups.find((g: { key: string }) => g.key === project.id)
          const name = project === acme ? '"Acme, Inc. ""payments"""' : 'plain'
          return [
            project.id,
            name,
            group.scans,
            group.files,
            group.bytes,
            group.commits,
            group.duration_ms,
            group.cost,
            'USD',
          ].join(',')
        }),
    ])
    expect(byQuery.text).not.toMatch(/^total,/m)
    const totals = json.json.totals
    expect(byQuery.headers['vega-totals']).toBe(
      `scans=${totals.scans}, files=${totals.files}, bytes=${totals.bytes}, commits=${totals.commits}, duration_ms=${totals.duration_ms}, cost="${totals.cost}", currency="${json.json.currency}"`,
    )
    expect(totals.scans).toBe(3)
  })

  it('without group_by is one data row for the period; a format it does not know is 422 naming format', async () => {
    const { owner } = await workspaceWithCommaNames()

    const plain = await getSummary({ as: owner.token, query: 'format=csv' })
    const xml = await getSummary({ as: owner.token, query: 'format=xml' })
    const onProjects = await call(projects, 'GET', '/v1/projects', { as: owner.token, query: 'format=csv' })

    const [header, row, end] = plain.text.split('\r\n')
    expect(header).toBe('period,name,scans,files,bytes,commits,duration_ms,cost,currency')
    expect(row).toMatch(/^\d{4}-\d\d-\d\d\/\d{4}-\d\d-\d\d,,3,30,3000000,3,3000,[\d.]+,USD$/)
    expect(end).toBe('')
    expect(xml.status).toBe(422)
    expect(JSON.stringify(xml.json.error.details)).toContain('format')
    // A route without CSV refuses the parameter by name, as every unknown parameter.
    expect(onProjects.status).toBe(400)
    expect(onProjects.json.error.details.unknown).toEqual(['format'])
  })
})

describe('the scan worker', () => {
  it('logs one INFO line per scan with its request id, outcome, duration, bytes and findings', async () => {
    const owner = await newOwner('worker-log')
    const repository = await repositoryOf(owner)
    const { pack, refs } = committedPack({ 'app.js': 'export const run = (input) => eval(input)\n' })
    const scan = await queuedPackScan(repository, { pack, refs }, { engines: ['secrets', 'code'] })
    const log = captureLogs('INFO')

    await worker(sqsEvent(sqsRecord({ scan_id: scan.id }, 'm-log')), { awsRequestId: 'req-worker-1' } as Context)
    log.stop()

    const entries = log.lines.flatMap((line) => line.split('\n').filter(Boolean)).map((line) => JSON.parse(line))
    const perScan = entries.filter((entry) => entry.message === 'scan' && entry.scan_id === scan.id)
    expect(perScan).toHaveLength(1)
    expect(perScan[0]).toMatchObject({
      level: 'INFO',
      request_id: 'req-worker-1',
      message_id: 'm-log',
      scan_id: scan.id,
      outcome: 'succeeded',
      input_bytes: pack.length,
      bytes: Buffer.byteLength('export const run = (input) => eval(input)\n'),
    })
    expect(perScan[0].duration_ms).toBeGreaterThanOrEqual(0)
    expect(perScan[0].findings).toBeGreaterThanOrEqual(1)
    // Where the time went: the input (its download and its reading apart), each engine that ran, recording
    // and the gate; nothing was kept from an earlier push.
    expect(perScan[0].kept).toBeUndefined()
    expect(Object.keys(perScan[0].phases_ms).sort()).toEqual([
      'code',
      'gate',
      'input',
      'input.download',
      'input.read',
      'record',
      'secrets',
    ])
  })
})

describe('over the local gateway (real HTTP, as npm start serves it)', () => {
  let server: ApiServer
  beforeAll(async () => {
    server = await startApiServer({ port: 0 })
  })
  afterAll(() => server?.close())

  it('pages by Link rel="next", revalidates with ETag (304, HEAD alike), and answers CSV by ?format=csv', async () => {
    const owner = await newOwner('gateway')
    const auth = { authorization: `Bearer ${owner.token}` }
    for (const name of ['Acme, Inc.', 'b', 'c']) {
      const created = await fetch(`${server.url}/v1/projects`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ name }),
      })
      expect(created.status).toBe(201)
    }

    const first = await fetch(`${server.url}/v1/projects?limit=2`, { headers: auth })
    const body = (await first.json()) as { next_cursor: string }
    const next = linkTarget(first.headers.get('link') ?? undefined, 'next')!
    const second = await fetch(`${server.url}${next.path}?${next.query}`, { headers: auth })
    const etag = first.headers.get('etag')!
    const unchanged = await fetch(`${server.url}/v1/projects?limit=2`, { headers: { ...auth, 'if-none-match': etag } })
    const head = await fetch(`${server.url}/v1/projects?limit=2`, { method: 'HEAD', headers: auth })
    const csv = await fetch(`${server.url}/v1/billing/summary?group_by=project&format=csv`, { headers: auth })

    expect(first.status).toBe(200)
    expect(next.params.get('cursor')).toBe(body.next_cursor)
    expect(second.status).toBe(200)
    expect(((await second.json()) as { items: unknown[] }).items).toHaveLength(1)
    expect(second.headers.get('link')).toBeNull()
    expect(first.headers.get('cache-control')).toBe('private, no-cache')
    expect(unchanged.status).toBe(304)
    expect(head.status).toBe(200)
    expect(head.headers.get('etag')).toBe(etag)
    expect(csv.status).toBe(200)
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(csv.headers.get('vega-totals')).toMatch(/^scans=0, /)
    expect(await csv.text()).toBe('project,name,scans,files,bytes,commits,duration_ms,cost,currency\r\n')
  })
})
