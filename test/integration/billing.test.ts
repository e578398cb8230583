// Billing against the emulators: metering once, summaries from aggregates that equal the lines, CSV,
// ETags, and who may read what.
import type { Context } from 'aws-lambda'
import { afterAll, describe, expect, it } from 'vitest'
import { handler as billing } from '../../functions/billing/handler.js'
import { handler as repositories } from '../../functions/repositories/handler.js'
import { handler as worker } from '../../functions/scan-worker/handler.js'
import { sqsEvent, sqsRecord } from '../../infra/local/sqs-event.js'
import { meterScan } from '../../shared/billing/meter.js'
import { costMicros, priceOn } from '../../shared/billing/prices.js'
import { config } from '../../shared/config.js'
import { createProject, type ProjectRecord } from '../../shared/data/projects.js'
import { createRepository, type RepositoryRecord } from '../../shared/data/repositories.js'
import { getScan, type ScanRecord } from '../../shared/data/scans.js'
import { listAggregates } from '../../shared/data/usage.js'
import { newId, type WorkspaceId } from '../../shared/ids.js'
import { BillingSummary, UsageLine } from '../../shared/routes/schemas/billing.js'
import { Scan } from '../../shared/routes/schemas/scans.js'
import { committedPack, removeTempDirs } from '../support/git-fixtures.js'
import { type CallOptions, call, memberOf, newOwner, type Person, workspaceKey } from '../support/identity.js'
import { queuedPackScan, scanOf } from '../support/scans.js'

afterAll(removeTempDirs)

const getSummary = (options: CallOptions) => call(billing, 'GET', '/v1/billing/summary', options)
const getUsage = (options: CallOptions) => call(billing, 'GET', '/v1/billing/usage', options)
const today = () => new Date().toISOString().slice(0, 10)
const scanIn = (repository: RepositoryRecord): ScanRecord =>
  scanOf(repository, {
    status: 'succeeded',
    input: { kind: 'pack', key: `uploads/test/${newId('upload')}.pack`, bytes: 1000 },
    engines: ['secrets', 'code'],
  })

/** A workspace with two projects of two repositories each, and `n` scans metered across them. */
async function meteredWorkspace(owner: Person, n: number) {
  const projects: ProjectRecord[] = []
  const repos: RepositoryRecord[] = []
  for (const name of ['alpha', 'beta']) {
    const project = await createProject(owner.workspaceId, { name })
    projects.push(project)
    for (const repo of ['api', 'web']) repos.push(await createRepository(project, { name: repo }))
  }
  const stats = Array.from({ length: n }, (_, i) => ({
    files: 10 + i,
    bytes: 1_000_000 * (i + 1),
    commits: i + 1,
    duration_ms: 1500 + 250 * i,
  }))
  await Promise.all(stats.map((figures, i) => meterScan(scanIn(repos[i % repos.length]!), figures)))
  return { projects, repos, stats }
}

async function allLines(owner: Person, query = '') {
  const lines: Line[] = []
  let cursor: string | null = null
  do {
    const page = await getUsage({
      as: owner.token,
      query: `limit=2${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    })
    expect(page.status).toBe(200)
    lines.push(...page.json.items.map((item: unknown) => UsageLine.parse(item)))
    cursor = page.json.next_cursor
  } while (cursor)
  return lines
}
type Line = ReturnType<typeof UsageLine.parse>

const sum = (lines: Line[], pick: (line: Line) => number) => lines.reduce((total, line) => total + pick(line), 0)
const round6 = (value: number) => Math.round(value * 1e6) / 1e6

describe('billing', () => {
  it('sums to the line items: totals and each project, repository and day of a period', async () => {
    const owner = await newOwner()
    const { projects, repos, stats } = await meteredWorkspace(owner, 7)

    const lines = await allLines(owner)
    const byProject = await getSummary({ as: owner.token, query: 'group_by=project' })
    const byRepository = await getSummary({ as: owner.token, query: 'group_by=repository' })
    const byDay = await getSummary({ as: owner.token, query: 'group_by=day' })
    const plain = await getSummary({ as: owner.token })

    expect(lines).toHaveLength(7)
    for (const line of lines) expect(line.at).toBe(line.created_at)
    expect(new Set(lines.map((line) => line.scan_id)).size).toBe(7)
    const summary = BillingSummary.parse(byProject.json)
    const expected = {
      scans: 7,
      files: sum(lines, (line) => line.files),
      bytes: stats.reduce((total, s) => total + s.bytes, 0),
      commits: sum(lines, (line) => line.commits),
      duration_ms: sum(lines, (line) => line.duration_ms),
      cost: round6(sum(lines, (line) => line.cost.amount)),
    }
    expect(summary.totals).toEqual(expected)
    for (const answer of [byRepository, byDay, plain]) expect(answer.json.totals).toEqual(expected)
    expect(summary.currency).toBe(config().PRICE_TABLE[0]!.currency)
    expect(summary.prices).toEqual([priceOn(today())])
    for (const project of projects) {
      const mine = lines.filter((line) => line.project_id === project.id)
      expect(summary.groups.find((group) => group.key === project.id)).toMatchObject({
        name: project.name,
        scans: mine.length,
        bytes: sum(mine, (line) => line.bytes),
        cost: round6(sum(mine, (line) => line.cost.amount)),
      })
    }
    expect(byRepository.json.groups.map((group: { key: string }) => group.key).sort()).toEqual(
      repos.map((repo) => repo.id).sort(),
    )
    expect(byRepository.json.groups.map((group: { name: string }) => group.name).sort()).toEqual(
      repos.map((repo) => repo.name).sort(),
    )
    expect(byDay.json.groups.at(-1)).toMatchObject({ key: today(), name: null, scans: 7 })
    expect(plain.json.groups).toEqual([])
  })

  it('prices a line from the table: per scan, per GB scanned and per GB-second of worker memory', async () => {
    const owner = await newOwner()
    const project = await createProject(owner.workspaceId, { name: 'p' })
    const repository = await createRepository(project, { name: 'r' })
    const stats = { files: 3, bytes: 2_500_000_000, commits: 1, duration_ms: 4000 }

    await meterScan(scanIn(repository), stats)

    const [line] = await allLines(owner)
    const price = priceOn(today())
    const memoryGb = config().AWS_LAMBDA_FUNCTION_MEMORY_SIZE / 1024
    const expected = price.per_scan + price.per_gb_scanned * 2.5 + price.per_gb_second * memoryGb * 4
    expect(line!.cost.amount).toBeCloseTo(expected, 6)
    expect(line!.memory_mb).toBe(config().AWS_LAMBDA_FUNCTION_MEMORY_SIZE)
    expect(costMicros({ ...stats, memory_mb: line!.memory_mb }, price)).toBe(Math.round(expected * 1e6))
  })

  it('answers the same summary as CSV with a header row when asked, the totals in Vega-Totals', async () => {
    const owner = await newOwner()
    await meteredWorkspace(owner, 4)

    const json = await getSummary({ as: owner.token, query: 'group_by=repository' })
    const csv = await getSummary({ as: owner.token, query: 'group_by=repository', headers: { accept: 'text/csv' } })

    expect(csv.status).toBe(200)
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8')
    const [header, ...rows] = csv.text
      .trimEnd()
      .split('\r\n')
      .map((line) => line.split(','))
    expect(header).toEqual([
      'repository',
      'name',
      'scans',
      'files',
      'bytes',
      'commits',
      'duration_ms',
      'cost',
      'currency',
    ])
    const asJson = json.json.groups.map((group: Record<string, unknown>) => [
      group.key,
      group.name,
      ...['scans', 'files', 'bytes', 'commits', 'duration_ms', 'cost'].map((name) => String(group[name])),
      json.json.currency,
    ])
    expect(rows).toEqual(asJson)
    expect(csv.headers['vega-totals']).toContain(`scans=${json.json.totals.scans},`)
    expect(csv.headers.etag).not.toBe(json.headers.etag)
  })

  it('answers usage lines as CSV on Accept: text/csv or ?format=csv, page by page with Link', async () => {
    const owner = await newOwner()
    await meteredWorkspace(owner, 3)
    const json = await allLines(owner)

    const byAccept = await getUsage({ as: owner.token, query: 'limit=2', headers: { accept: 'text/csv' } })
    const byQuery = await getUsage({ as: owner.token, query: 'format=csv&limit=10' })

    expect(byAccept.status).toBe(200)
    expect(byAccept.headers['content-type']).toMatch(/^text\/csv/)
    expect(byAccept.headers.link).toMatch(/rel="next"/)
    expect(byAccept.headers.vary).toContain('Accept')
    const [header, ...rows] = byQuery.text.trimEnd().split('\r\n')
    expect(header!.split(',').slice(0, 2)).toEqual(['created_at', 'scan_id'])
    expect(rows.map((row) => row.split(',')[1]).sort()).toEqual(json.map((line) => line.scan_id).sort())
    expect(byAccept.text.trimEnd().split('\r\n')).toHaveLength(3)
  })

  it('sends an ETag and Cache-Control, 304 while nothing changed, and a new ETag after a scan', async () => {
    const owner = await newOwner()
    const { repos } = await meteredWorkspace(owner, 2)

    const first = await getSummary({ as: owner.token })
    const unchanged = await getSummary({ as: owner.token, headers: { 'if-none-match': first.headers.etag! } })
    await meterScan(scanIn(repos[0]!), { files: 1, bytes: 1, commits: 1, duration_ms: 1 })
    const changed = await getSummary({ as: owner.token, headers: { 'if-none-match': first.headers.etag! } })

    expect(first.headers.etag).toMatch(/^"[\w-]{27}"$/)
    expect(first.headers['cache-control']).toBe(`private, max-age=${config().BILLING_MAX_AGE_S}`)
    expect(unchanged.status).toBe(304)
    expect(unchanged.text).toBe('')
    expect(unchanged.headers.etag).toBe(first.headers.etag)
    expect(changed.status).toBe(200)
    expect(changed.json.totals.scans).toBe(3)
    expect(changed.headers.etag).not.toBe(first.headers.etag)
  })

  it('meters a scan once when its message is delivered twice, and shows the cost on the scan', async () => {
    const owner = await newOwner()
    const project = await createProject(owner.workspaceId, { name: 'p' })
    const repository = await createRepository(project, { name: 'r' })
    const { pack, refs } = committedPack({ 'index.js': 'export const answer = 42\n' })
    const scan = await queuedPackScan(repository, { pack, refs }, { engines: ['secrets'] })
    const message = sqsEvent(sqsRecord({ scan_id: scan.id }))

    await worker(message, {} as Context)
    await worker(message, {} as Context)
    const again = await meterScan(scan, { files: 99, bytes: 99, commits: 99, duration_ms: 99 })

    expect(again).toBe('already_metered')
    const lines = await allLines(owner)
    expect(lines.map((line) => line.scan_id)).toEqual([scan.id])
    const [month] = await listAggregates(owner.workspaceId, 'M', 'WS', today().slice(0, 7), today().slice(0, 7))
    expect(month).toMatchObject({ scans: 1, files: 1 })
    const shown = await call(repositories, 'GET', `/v1/repositories/${repository.id}/scans/${scan.id}`, {
      as: owner.token,
    })
    const view = Scan.parse(shown.json)
    expect(view.status).toBe('succeeded')
    expect(view.cost).toEqual(lines[0]!.cost)
    expect(view.cost_estimate).toMatchObject({ basis: 'upload', input_bytes: pack.length })
    expect((await getScan(scan.id))?.stats?.files).toBe(lines[0]!.files)
  })

  it('counts concurrent meterings of one scan once', async () => {
    const owner = await newOwner()
    const project = await createProject(owner.workspaceId, { name: 'p' })
    const scan = scanIn(await createRepository(project, { name: 'r' }))
    const stats = { files: 5, bytes: 5000, commits: 2, duration_ms: 800 }

    const outcomes = await Promise.all(Array.from({ length: 4 }, () => meterScan(scan, stats)))

    expect(outcomes.filter((outcome) => outcome === 'metered')).toHaveLength(1)
    const summary = await getSummary({ as: owner.token })
    expect(summary.json.totals).toMatchObject({ scans: 1, files: 5, bytes: 5000 })
  })

  it('filters line items by project and period', async () => {
    const owner = await newOwner()
    const { projects } = await meteredWorkspace(owner, 4)

    const ofAlpha = await allLines(owner, `&project_id=${projects[0]!.id}`)
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
    const before = await getUsage({ as: owner.token, query: `from=${yesterday}&to=${yesterday}` })

    expect(ofAlpha.map((line) => line.project_id)).toEqual([projects[0]!.id, projects[0]!.id])
    expect(before.json.items).toEqual([])
  })

  it('refuses a period that ends before it starts, or is longer than a year, with 422', async () => {
    const owner = await newOwner()

    const backwards = await getSummary({ as: owner.token, query: 'from=2026-05-02&to=2026-05-01' })
    const long = await getUsage({ as: owner.token, query: 'from=2024-01-01&to=2026-01-01' })
    const malformed = await getSummary({ as: owner.token, query: 'group_by=week' })

    expect(backwards.status).toBe(422)
    expect(backwards.json.error).toMatchObject({
      code: 'validation_failed',
      details: { issues: [{ path: 'query.from' }] },
    })
    expect(long.status).toBe(422)
    expect(malformed.status).toBe(422)
    expect(malformed.json.error.details.issues[0].path).toBe('query.group_by')
  })
})

describe('who may read billing', () => {
  it('lets owners, admins and a workspace key with the billing scope read; not members, viewers or other scopes', async () => {
    const owner = await newOwner()
    await meteredWorkspace(owner, 1)
    const admin = await memberOf(owner, 'admin')
    const member = await memberOf(owner, 'member')
    const viewer = await memberOf(owner, 'viewer')
    const billingKey = await workspaceKey(owner, 'dashboard', ['billing'])
    const readKey = await workspaceKey(owner, 'ci', ['read'])
    const query = `workspace_id=${owner.workspaceId}`
    const read = (as: string, path = '/v1/billing/summary') => call(billing, 'GET', path, { as, query })

    const answers = {
      admin: await read(admin.token),
      member: await read(member.token),
      viewer: await read(viewer.token),
      billingKey: await read(billingKey.secret),
      billingKeyUsage: await read(billingKey.secret, '/v1/billing/usage'),
      readKey: await read(readKey.secret),
    }

    expect(answers.admin.status).toBe(200)
    expect(answers.admin.json.totals.scans).toBe(1)
    expect(answers.billingKey.status).toBe(200)
    expect(answers.billingKeyUsage.json.items).toHaveLength(1)
    for (const refused of [answers.member, answers.viewer, answers.readKey]) {
      expect(refused.status).toBe(403)
      expect(refused.json.error).toMatchObject({ code: 'forbidden', retryable: false })
    }
  })

  it("answers 404 for another workspace's billing, to users and keys alike, and never mixes tenants", async () => {
    const owner = await newOwner()
    const stranger = await newOwner('stranger')
    await meteredWorkspace(owner, 3)
    await meteredWorkspace(stranger, 1)
    const strangerKey = await workspaceKey(stranger, 'theirs', ['billing'])
    const theirs = `workspace_id=${owner.workspaceId}`

    const summary = await getSummary({ as: stranger.token, query: theirs })
    const usage = await getUsage({ as: stranger.token, query: theirs })
    const byKey = await getSummary({ as: strangerKey.secret, query: theirs })
    const own = await getSummary({ as: stranger.token })

    for (const answer of [summary, usage, byKey]) {
      expect(answer.status).toBe(404)
      expect(answer.json.error.code).toBe('not_found')
      expect(answer.text).not.toContain('"scans"')
    }
    expect(own.json).toMatchObject({ workspace_id: stranger.workspaceId as WorkspaceId, totals: { scans: 1 } })
  })
})
