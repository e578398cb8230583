// The security overview (#19) against the emulators: findings across a workspace with every filter and
// its pages, bad input in the envelope, tenants kept apart, and the overview's figures (from counters)
// for a known seeded state, in JSON and CSV, with ETags and 304.
import { describe, expect, it } from 'vitest'
import { handler as overviewApi } from '../../functions/overview/handler.js'
import { handler as repositories } from '../../functions/repositories/handler.js'
import { systemActor } from '../../shared/data/append-event.js'
import { transact, updateIf } from '../../shared/data/db.js'
import { dismissFinding, getFinding, historyEntry } from '../../shared/data/findings.js'
import * as keys from '../../shared/data/keys.js'
import { addToDay, utcDay } from '../../shared/data/overview.js'
import { createProject, markDeleting } from '../../shared/data/projects.js'
import { createRepository, type RepositoryRecord, recordLastScan } from '../../shared/data/repositories.js'
import { finishScan, type GateResult, putQueuedScan, type ScanRecord, startScan } from '../../shared/data/scans.js'
import { findingIdOf, fingerprintOf } from '../../shared/findings/fingerprint.js'
import { recordFindings } from '../../shared/findings/record.js'
import { newId, type ProjectId } from '../../shared/ids.js'
import { Finding } from '../../shared/routes/schemas/findings.js'
import { Overview } from '../../shared/routes/schemas/overview.js'
import type { EngineFinding, Severity } from '../../shared/scanning/engine.js'
import * as z from '../../shared/zod.js'
import { type CallOptions, call, newOwner, type Person, workspaceKey } from '../support/identity.js'
import { codeFinding, scanOf } from '../support/scans.js'

const listFindings = (options: CallOptions) => call(overviewApi, 'GET', '/v1/findings', options)
const getOverview = (options: CallOptions) => call(overviewApi, 'GET', '/v1/overview', options)
const stats = { files: 1, bytes: 10, commits: 1, duration_ms: 1 }
const engines = ['secrets', 'code']
const failedGate: GateResult = { verdict: 'failed', rules_fired: [], policy: 'default', baseline_scan_id: null }

const flaw = (path: string, severity: Severity, fields: Partial<EngineFinding> = {}) =>
  codeFinding(path, { text: `eval(${path})`, severity, rule_id: `rule-${severity}`, ...fields })
const idOf = (repository: RepositoryRecord, finding: EngineFinding) =>
  findingIdOf(repository.id, fingerprintOf(finding))

/** A scan of the repository that finds exactly these, and succeeds (its gate failed when told), as the worker's. */
async function scanned(repository: RepositoryRecord, found: EngineFinding[], gate?: GateResult): Promise<ScanRecord> {
  const scan = scanOf(repository, { engines })
  await putQueuedScan(scan)
  await startScan(scan.id)
  await recordFindings(scan, found, engines)
  await finishScan(scan, { status: 'succeeded', stats, ...(gate ? { gate } : {}) })
  await recordLastScan(repository.id, { id: scan.id, status: 'succeeded', finished_at: new Date().toISOString() })
  return scan
}

/** Moves back when a finding was opened, as if it had been open that long. */
const openedHoursAgo = (repository: RepositoryRecord, finding: EngineFinding, hours: number) =>
  updateIf({
    Key: keys.findingById(idOf(repository, finding)),
    UpdateExpression: 'SET opened_at = :at',
    ExpressionAttributeValues: { ':at': new Date(Date.now() - hours * 3_600_000).toISOString() },
  })

/** Two projects: `web` with repositories `api` and `ui`, `Acme, Inc.` with `core`. */
async function workspaceOf(owner: Person) {
  const web = await createProject(owner.workspaceId, { name: 'web' })
  const acme = await createProject(owner.workspaceId, { name: 'Acme, Inc.' })
  const api = await createRepository(web, { name: 'api' })
  const ui = await createRepository(web, { name: 'ui' })
  const core = await createRepository(acme, { name: 'core' })
  return { web, acme, api, ui, core }
}

/** Every item of a list, page by page, and the pages' sizes. */
async function everyPage(as: string, query: string) {
  const ids: string[] = []
  const sizes: number[] = []
  let cursor: string | null = null
  do {
    const page = await listFindings({
      as,
      query: `${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    })
    expect(page.status, page.text).toBe(200)
    ids.push(...page.json.items.map((finding: { id: string }) => finding.id))
    sizes.push(page.json.items.length)
    if (page.json.next_cursor) expect(page.headers.link).toContain('rel="next"')
    cursor = page.json.next_cursor
  } while (cursor)
  return { ids, sizes }
}

const ids = (answer: { json: { items: { id: string }[] } }) => answer.json.items.map((finding) => finding.id).sort()

describe('GET /v1/findings', () => {
  it('lists the whole workspace and applies every filter, project and repository included', async () => {
    const owner = await newOwner('overview-filters')
    const { web, acme, api, ui, core } = await workspaceOf(owner)
    const critical = flaw('src/auth.js', 'critical')
    const high = flaw('src/db.js', 'high')
    const inTests = flaw('test/fixture.js', 'medium', { context: 'test' })
    const secret: EngineFinding = {
      ...flaw('config/.env', 'high'),
      engine: 'secrets',
      rule_id: 'generic-api-key',
      fingerprint: 'a'.repeat(64),
    }
    const low = flaw('lib/util.js', 'low')
    const before = new Date().toISOString()
    await scanned(api, [critical, high, secret])
    await scanned(ui, [inTests])
    await scanned(core, [low])
    const after = new Date(Date.now() + 1000).toISOString()
    await scanned(api, [critical, secret])
    const [c, h, t, s, l] = [
      idOf(api, critical),
      idOf(api, high),
      idOf(ui, inTests),
      idOf(api, secret),
      idOf(core, low),
    ]
    const get = (query: string) => listFindings({ as: owner.token, query })

    const all = await get('')
    const answers = {
      critical: await get('severity=critical'),
      openCritical: await get('status=open&severity=critical'),
      fixed: await get('status=fixed'),
      open: await get('status=open'),
      secrets: await get('engine=secrets'),
      rule: await get('rule=rule-low'),
      path: await get('path=src/'),
      tests: await get('context=test'),
      product: await get('context=none'),
      acme: await get(`project=${acme.id}`),
      web: await get(`project=${web.id}&severity=high`),
      ui: await get(`repository=${ui.id}`),
      notInProject: await get(`project=${acme.id}&repository=${api.id}`),
      since: await get(`new_since=${encodeURIComponent(before)}`),
      notSince: await get(`new_since=${encodeURIComponent(after)}`),
      named: await get(`workspace_id=${owner.workspaceId}&status=open&engine=code`),
    }

    expect(all.status, all.text).toBe(200)
    expect(ids(all)).toEqual([c, h, t, s, l].sort())
    for (const item of all.json.items) expect(z.safeParse(Finding, item).success).toBe(true)
    expect(all.json.items.find((finding: { id: string }) => finding.id === t)).toMatchObject({
      repository_id: ui.id,
      context: 'test',
      status: 'open',
    })
    const expected: Record<keyof typeof answers, string[]> = {
      critical: [c],
      openCritical: [c],
      fixed: [h],
      open: [c, t, s, l],
      secrets: [s],
      rule: [l],
      path: [c, h],
      tests: [t],
      product: [c, h, s, l],
      acme: [l],
      web: [h, s],
      ui: [t],
      notInProject: [],
      since: [c, h, t, s, l],
      notSince: [],
      named: [c, t, l],
    }
    for (const [name, answer] of Object.entries(answers)) {
      expect(answer.status, `${name}: ${answer.text}`).toBe(200)
      expect(ids(answer), name).toEqual(expected[name as keyof typeof answers].sort())
    }
  })

  it('pages with opaque cursors, each finding once, in the order first seen; filtered pages are filled', async () => {
    const owner = await newOwner('overview-pages')
    const { api, core } = await workspaceOf(owner)
    const first = [flaw('a.js', 'high'), flaw('b.js', 'low'), flaw('c.js', 'high'), flaw('d.js', 'low')]
    const second = [flaw('e.js', 'high'), flaw('f.js', 'low'), flaw('g.js', 'high')]
    await scanned(api, first)
    await new Promise((resolve) => setTimeout(resolve, 5))
    await scanned(core, second)
    const firstIds = first.map((finding) => idOf(api, finding))
    const secondIds = second.map((finding) => idOf(core, finding))

    const plain = await everyPage(owner.token, 'limit=3')
    const high = await everyPage(owner.token, 'limit=2&severity=high')
    const page = await listFindings({ as: owner.token, query: 'limit=3' })
    const forged = await listFindings({ as: owner.token, query: `limit=3&cursor=${page.json.next_cursor}x` })
    const otherFilter = await listFindings({
      as: owner.token,
      query: `limit=3&severity=low&cursor=${encodeURIComponent(page.json.next_cursor)}`,
    })
    const again = await listFindings({
      as: owner.token,
      query: 'limit=3',
      headers: { 'if-none-match': page.headers.etag! },
    })

    expect(plain.sizes).toEqual([3, 3, 1])
    expect(plain.ids).toHaveLength(7)
    expect(new Set(plain.ids).size).toBe(7)
    // First seen order: every finding of the earlier scan before any of the later one.
    expect(plain.ids.slice(0, 4).sort()).toEqual([...firstIds].sort())
    expect(plain.ids.slice(4).sort()).toEqual([...secondIds].sort())
    expect(high.ids.sort()).toEqual([firstIds[0], firstIds[2], secondIds[0], secondIds[2]].sort())
    expect(high.sizes.slice(0, -1).every((size) => size === 2)).toBe(true)
    for (const refused of [forged, otherFilter]) {
      expect(refused.status, refused.text).toBe(400)
      expect(refused.json.error.code).toBe('bad_request')
    }
    expect(again.status).toBe(304)
  })

  it('answers bad filters with the envelope: 400 for an unknown one, 422 for a bad value, 404 for an unknown project', async () => {
    const owner = await newOwner('overview-bad')
    const { api } = await workspaceOf(owner)
    await scanned(api, [flaw('a.js', 'high')])
    const get = (query: string) => listFindings({ as: owner.token, query })

    const misspelt = await get('severty=high')
    const scanFilter = await get(`scan=${newId('scan')}`)
    const badValues = await Promise.all(
      ['severity=severe', 'status=gone', 'new_since=yesterday', 'context=prod', 'project=prj_nope', 'limit=0'].map(get),
    )
    const unknownProject = await get(`project=${newId('project')}`)
    const unknownRepository = await get(`repository=${newId('repository')}`)
    const twice = await get('severity=high&severity=low')

    for (const answer of [misspelt, scanFilter, twice]) {
      expect(answer.status, answer.text).toBe(400)
      expect(answer.json).toMatchObject({ schema_version: 1, error: { code: 'bad_request', retryable: false } })
      expect(answer.json.error.details.request_id).toBeDefined()
    }
    expect(misspelt.json.error.details.unknown).toEqual(['severty'])
    expect(misspelt.json.error.details.accepted).toEqual(expect.arrayContaining(['severity', 'project', 'repository']))
    const fields = ['severity', 'status', 'new_since', 'context', 'project', 'limit']
    for (const [index, answer] of badValues.entries()) {
      expect(answer.status, answer.text).toBe(422)
      expect(answer.json.error.code).toBe('validation_failed')
      const [issue, ...more] = answer.json.error.details.issues
      expect(more).toEqual([])
      // The value is named (`query.context.0`: the first of the comma-separated list).
      expect(issue.path).toMatch(new RegExp(`^query\\.${fields[index]}(\\.|$)`))
    }
    for (const [answer, what] of [
      [unknownProject, 'Project'],
      [unknownRepository, 'Repository'],
    ] as const) {
      expect(answer.status, answer.text).toBe(404)
      expect(answer.json.error).toMatchObject({ code: 'not_found', retryable: false })
      expect(answer.json.error.message).toContain(what)
    }
  })

  it("never shows another workspace's findings, and answers 404 for its workspace, projects and repositories", async () => {
    const [alice, bob] = await Promise.all([newOwner('alice'), newOwner('bob')])
    const hers = await workspaceOf(alice)
    const his = await workspaceOf(bob)
    await scanned(hers.api, [flaw('alice.js', 'critical'), flaw('alice2.js', 'high')])
    await scanned(his.core, [flaw('bob.js', 'critical')])
    const herKey = await workspaceKey(alice, 'dashboard', ['read'])
    const uploadOnly = await workspaceKey(alice, 'ci', ['upload'])
    const herIds = ids(await listFindings({ as: alice.token }))

    const bobs = await listFindings({ as: bob.token })
    const bobsOpenCriticals = await listFindings({ as: bob.token, query: 'status=open&severity=critical' })
    const intrusions = await Promise.all(
      [
        `workspace_id=${alice.workspaceId}`,
        `project=${hers.web.id}`,
        `repository=${hers.api.id}`,
        `workspace_id=${bob.workspaceId}&repository=${hers.api.id}`,
        `workspace_id=${alice.workspaceId}&project=${his.acme.id}`,
      ].map((query) => listFindings({ as: bob.token, query })),
    )
    const byHerKey = await listFindings({ as: herKey.secret })
    const herKeyElsewhere = await listFindings({ as: herKey.secret, query: `workspace_id=${bob.workspaceId}` })
    const herKeyOnHisRepository = await listFindings({ as: herKey.secret, query: `repository=${his.core.id}` })
    const withoutReadScope = await listFindings({ as: uploadOnly.secret })
    const hisOverview = await getOverview({ as: bob.token })
    const herOverviewForHim = await getOverview({ as: bob.token, query: `workspace_id=${alice.workspaceId}` })

    expect(herIds).toHaveLength(2)
    expect(ids(bobs)).toEqual([idOf(his.core, flaw('bob.js', 'critical'))])
    expect(ids(bobsOpenCriticals)).toEqual(ids(bobs))
    for (const answer of [...intrusions, herKeyElsewhere, herKeyOnHisRepository, herOverviewForHim]) {
      expect(answer.status, answer.text).toBe(404)
      expect(answer.json.error.code).toBe('not_found')
      expect(answer.text).not.toContain('alice')
    }
    expect(ids(byHerKey)).toEqual(herIds)
    expect(withoutReadScope.status).toBe(403)
    expect(hisOverview.json.open_findings).toEqual({ critical: 1, high: 0, medium: 0, low: 0, info: 0 })
    expect(hisOverview.json.repositories.map((repository: { name: string }) => repository.name).sort()).toEqual([
      'api',
      'core',
      'ui',
    ])
    expect(hisOverview.json.oldest_open_critical.repository_id).toBe(his.core.id)
    expect(JSON.stringify(hisOverview.json)).not.toContain(hers.api.id)
  })
})

describe('findings stored before the overview', () => {
  it('join the workspace list, and the open criticals while open, when a scan next sees them', async () => {
    const owner = await newOwner('overview-legacy')
    const { api } = await workspaceOf(owner)
    const [open, dismissed, high] = [flaw('a.js', 'critical'), flaw('b.js', 'critical'), flaw('c.js', 'high')]
    await scanned(api, [open, dismissed, high])
    // A critical finding's dismissal needs a second admin over HTTP: dismissed here as an approval would.
    const stored = (await getFinding(idOf(api, dismissed)))!
    const triage = { reason: 'wont_fix' as const, comment: 'accepted', by: owner.userId }
    expect(await dismissFinding(stored, triage, historyEntry(systemActor, 'dismissed', 'wont_fix'))).toBe(true)
    // What the items of an earlier version hold: no workspace, no place in the workspace's indexes.
    for (const finding of [open, dismissed, high])
      await updateIf({
        Key: keys.findingById(idOf(api, finding)),
        UpdateExpression: 'REMOVE workspace_id, project_id, opened_at, gsi2pk, gsi2sk, gsi3pk, gsi3sk',
      })
    const before = await listFindings({ as: owner.token })
    const criticalBefore = (await getOverview({ as: owner.token })).json.oldest_open_critical

    await scanned(api, [open, dismissed, high])

    const after = await listFindings({ as: owner.token })
    const openCriticals = await listFindings({ as: owner.token, query: 'status=open&severity=critical' })
    const overview = (await getOverview({ as: owner.token })).json
    expect(ids(before)).toEqual([])
    expect(criticalBefore).toBeNull()
    expect(ids(after)).toEqual([open, dismissed, high].map((finding) => idOf(api, finding)).sort())
    expect(ids(openCriticals)).toEqual([idOf(api, open)])
    expect(overview.oldest_open_critical).toMatchObject({ id: idOf(api, open), project_id: api.project_id })
    expect(overview.open_findings).toMatchObject({ critical: 1, high: 1 })
  })
})

describe('GET /v1/overview', () => {
  /** A seeded workspace whose figures are known: see the expectations in the test below. */
  async function seeded(owner: Person) {
    const w = await workspaceOf(owner)
    const [authBypass, sqlInjection, xss, oldSecret] = [
      flaw('src/auth.js', 'critical'),
      flaw('src/sql.js', 'high'),
      flaw('src/view.js', 'medium'),
      flaw('src/legacy.js', 'critical'),
    ]
    const lowOne = flaw('lib/util.js', 'low')
    await scanned(w.api, [authBypass, sqlInjection, xss, oldSecret])
    await scanned(w.core, [flaw('core/a.js', 'high'), lowOne], failedGate)
    // Two findings of api were open for 2 and 4 hours when the next scan fixes them.
    await openedHoursAgo(w.api, sqlInjection, 2)
    await openedHoursAgo(w.api, oldSecret, 4)
    const fixing = await scanned(w.api, [authBypass, xss, flaw('src/new.js', 'info')])
    // Replayed: nothing counts twice.
    await recordFindings(fixing, [authBypass, xss, flaw('src/new.js', 'info')], engines)
    await finishScan(fixing, { status: 'succeeded', stats })
    const failed = scanOf(w.ui, { engines })
    await putQueuedScan(failed)
    await startScan(failed.id)
    await finishScan(failed, {
      status: 'failed',
      error: { code: 'bad_pack', message: 'x', retryable: false, details: {} },
    })
    await recordLastScan(w.ui.id, { id: failed.id, status: 'failed', finished_at: new Date().toISOString() })
    // Ten days ago (outside the last 7, inside the last 30): counters as the pipeline would have left them.
    const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000)
    await transact(
      [
        addToDay(
          owner.workspaceId,
          w.core.id,
          { new_findings: 3, fixed_findings: 1, fix_seconds: 36_000, scans: 2 },
          tenDaysAgo,
        ),
      ],
      () => new Error('no condition'),
    )
    return { ...w, authBypass, tenDaysAgo, lowOne }
  }

  it('answers the figures of a known state, from counters', async () => {
    const owner = await newOwner('overview-figures')
    const w = await seeded(owner)
    const criticalId = idOf(w.api, w.authBypass)
    const critical = (await getFinding(criticalId))!

    const answer = await getOverview({ as: owner.token })

    expect(answer.status, answer.text).toBe(200)
    expect(z.safeParse(Overview, answer.json).success).toBe(true)
    const today = utcDay()
    expect(answer.json).toMatchObject({
      workspace_id: owner.workspaceId,
      as_of: today,
      open_findings: { critical: 1, high: 1, medium: 1, low: 1, info: 1 },
      oldest_open_critical: {
        id: criticalId,
        repository_id: w.api.id,
        project_id: w.web.id,
        rule_id: 'rule-critical',
        path: 'src/auth.js',
        first_seen_at: critical.created_at,
        first_seen_scan_id: critical.first_seen_scan_id,
      },
    })
    const byName = (rows: { name: string }[]): Record<string, any> =>
      Object.fromEntries(rows.map((row) => [row.name, row]))
    expect(byName(answer.json.projects)).toEqual({
      web: {
        project_id: w.web.id,
        name: 'web',
        repositories: 2,
        open_findings: { critical: 1, high: 0, medium: 1, low: 0, info: 1 },
      },
      'Acme, Inc.': {
        project_id: w.acme.id,
        name: 'Acme, Inc.',
        repositories: 1,
        open_findings: { critical: 0, high: 1, medium: 0, low: 1, info: 0 },
      },
    })
    const repositoriesByName = byName(answer.json.repositories)
    expect(repositoriesByName.api).toMatchObject({
      project_id: w.web.id,
      open_findings: { critical: 1, high: 0, medium: 1, low: 0, info: 1 },
    })
    expect(repositoriesByName.ui).toMatchObject({ open_findings: { critical: 0, high: 0, medium: 0, low: 0, info: 0 } })
    expect(repositoriesByName.core.open_findings).toEqual({ critical: 0, high: 1, medium: 0, low: 1, info: 0 })
    // 7 new today (4 + 2 + 1), 2 fixed after 2 h and 4 h: a mean of 3 h; 10 days ago 3 new, 1 fixed in 10 h.
    expect(answer.json.last_7_days).toEqual({
      new_findings: 7,
      fixed_findings: 2,
      reopened_findings: 0,
      mean_time_to_fix_s: expect.closeTo(3 * 3600, -1),
    })
    expect(answer.json.last_30_days).toMatchObject({ new_findings: 10, fixed_findings: 3, reopened_findings: 0 })
    expect(answer.json.last_30_days.mean_time_to_fix_s).toBeCloseTo((2 + 4 + 10) * 1200, -1)
    expect(answer.json.days).toHaveLength(30)
    expect(answer.json.days.at(-1)).toEqual({
      day: today,
      scans: 4,
      scans_failed: 1,
      gate_failures: 1,
      new_findings: 7,
      fixed_findings: 2,
      reopened_findings: 0,
    })
    expect(answer.json.days.find((day: { day: string }) => day.day === utcDay(w.tenDaysAgo))).toMatchObject({
      scans: 2,
      new_findings: 3,
      fixed_findings: 1,
    })
    const quiet = answer.json.days.filter(
      (day: { day: string }) => day.day !== today && day.day !== utcDay(w.tenDaysAgo),
    )
    expect(quiet).toHaveLength(28)
    for (const day of quiet) expect(day).toMatchObject({ scans: 0, new_findings: 0, fixed_findings: 0 })
  })

  it('moves with fixes and reopenings: a fixed critical leaves, the next one is the oldest, a reopened finding counts', async () => {
    const owner = await newOwner('overview-moves')
    const { api } = await workspaceOf(owner)
    const older = flaw('src/old.js', 'critical')
    const newer = flaw('src/new.js', 'critical')
    const gone = flaw('src/gone.js', 'high')
    await scanned(api, [older, gone])
    await new Promise((resolve) => setTimeout(resolve, 5))
    await scanned(api, [older, newer])
    const before = (await getOverview({ as: owner.token })).json
    // The older critical is fixed by the next scan; the high one comes back.
    await scanned(api, [newer, gone])

    const after = (await getOverview({ as: owner.token })).json
    const openCriticals = await listFindings({ as: owner.token, query: 'status=open&severity=critical' })

    expect(before.oldest_open_critical.id).toBe(idOf(api, older))
    expect(before.open_findings).toMatchObject({ critical: 2, high: 0 })
    expect(after.oldest_open_critical.id).toBe(idOf(api, newer))
    expect(after.open_findings).toMatchObject({ critical: 1, high: 1 })
    expect(after.last_7_days).toMatchObject({ new_findings: 3, fixed_findings: 2, reopened_findings: 1 })
    expect(ids(openCriticals)).toEqual([idOf(api, newer)])
  })

  it('drops a dismissed critical from the open criticals and the figures', async () => {
    const owner = await newOwner('overview-dismissed')
    const { api } = await workspaceOf(owner)
    const finding = flaw('src/a.js', 'high')
    await scanned(api, [finding])
    const dismiss = await call(repositories, 'PATCH', `/v1/repositories/${api.id}/findings/${idOf(api, finding)}`, {
      as: owner.token,
      body: { status: 'dismissed', reason: 'wont_fix' },
    })

    const after = (await getOverview({ as: owner.token })).json
    const open = await listFindings({ as: owner.token, query: 'status=open' })
    const dismissed = await listFindings({ as: owner.token, query: 'status=dismissed' })

    expect(dismiss.status, dismiss.text).toBe(200)
    expect(after.open_findings.high).toBe(0)
    expect(after.last_7_days).toMatchObject({ new_findings: 1, fixed_findings: 0 })
    expect(ids(open)).toEqual([])
    expect(ids(dismissed)).toEqual([idOf(api, finding)])
  })

  it('answers CSV (Accept or ?format=csv) by repository, project or day, with ETags and 304', async () => {
    const owner = await newOwner('overview-csv')
    const w = await seeded(owner)

    const json = await getOverview({ as: owner.token })
    const byAccept = await getOverview({ as: owner.token, headers: { accept: 'text/csv' } })
    const projects = await getOverview({ as: owner.token, query: 'format=csv&rows=projects' })
    const days = await getOverview({ as: owner.token, query: 'format=csv&rows=days' })
    const jsonWins = await getOverview({ as: owner.token, query: 'format=json', headers: { accept: 'text/csv' } })
    const held = await getOverview({ as: owner.token, headers: { 'if-none-match': json.headers.etag! } })
    const heldCsv = await getOverview({
      as: owner.token,
      headers: { accept: 'text/csv', 'if-none-match': byAccept.headers.etag! },
    })
    const stale = await getOverview({
      as: owner.token,
      headers: { accept: 'text/csv', 'if-none-match': json.headers.etag! },
    })
    await scanned(w.ui, [flaw('ui/x.js', 'low')])
    const moved = await getOverview({ as: owner.token, headers: { 'if-none-match': json.headers.etag! } })
    const badFormat = await getOverview({ as: owner.token, query: 'format=xml' })
    const badRows = await getOverview({ as: owner.token, query: 'format=csv&rows=findings' })

    expect(json.headers['content-type']).toContain('application/json')
    expect(json.headers.etag).toMatch(/^"[\w-]{27}"$/)
    expect(json.headers['cache-control']).toBe('private, no-cache')
    expect(json.headers.vary?.split(/,\s*/)).toEqual(expect.arrayContaining(['Accept', 'Authorization']))
    expect(byAccept.status).toBe(200)
    expect(byAccept.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(byAccept.headers['content-disposition']).toBe(
      `attachment; filename="vega-overview-repositories-${utcDay()}.csv"`,
    )
    expect(byAccept.headers.etag).not.toBe(json.headers.etag)
    const lines = byAccept.text.trimEnd().split('\r\n')
    expect(lines[0]).toBe(
      'repository_id,repository,project_id,project,critical,high,medium,low,info,open,last_scan_status',
    )
    expect(lines.slice(1).sort()).toEqual(
      [
        `${w.api.id},api,${w.web.id},web,1,0,1,0,1,3,succeeded`,
        `${w.ui.id},ui,${w.web.id},web,0,0,0,0,0,0,failed`,
        `${w.core.id},core,${w.acme.id},"Acme, Inc.",0,1,0,1,0,2,succeeded`,
      ].sort(),
    )
    expect(projects.text.trimEnd().split('\r\n')).toEqual([
      'project_id,project,repositories,critical,high,medium,low,info,open',
      `${w.web.id},web,2,1,0,1,0,1,3`,
      `${w.acme.id},"Acme, Inc.",1,0,1,0,1,0,2`,
    ])
    const dayLines = days.text.trimEnd().split('\r\n')
    expect(dayLines[0]).toBe('day,scans,scans_failed,gate_failures,new_findings,fixed_findings,reopened_findings')
    expect(dayLines).toHaveLength(31)
    expect(dayLines.at(-1)).toBe(`${utcDay()},4,1,1,7,2,0`)
    expect(jsonWins.headers['content-type']).toContain('application/json')
    for (const notModified of [held, heldCsv]) {
      expect(notModified.status).toBe(304)
      expect(notModified.text).toBe('')
    }
    expect(stale.status).toBe(200)
    expect(moved.status).toBe(200)
    expect(moved.headers.etag).not.toBe(json.headers.etag)
    expect(moved.json.open_findings.low).toBe(2)
    for (const [answer, field] of [
      [badFormat, 'query.format'],
      [badRows, 'query.rows'],
    ] as const) {
      expect(answer.status, answer.text).toBe(422)
      expect(answer.json.error.details.issues[0].path).toBe(field)
    }
  })

  it('answers the same overview to a workspace key with the read scope, and 404 for a workspace not the caller’s', async () => {
    const owner = await newOwner('overview-key')
    await seeded(owner)
    const key = await workspaceKey(owner, 'dashboard', ['read'])
    const stranger = await newOwner('stranger')

    const byToken = await getOverview({ as: owner.token })
    const byKey = await getOverview({ as: key.secret })
    const strangers = await getOverview({ as: stranger.token, query: `workspace_id=${owner.workspaceId}` })
    const unknown = await getOverview({ as: owner.token, query: `workspace_id=${newId('workspace')}` })

    expect(byKey.status).toBe(200)
    expect(byKey.json).toEqual(byToken.json)
    expect(byKey.headers.etag).toBe(byToken.headers.etag)
    for (const answer of [strangers, unknown]) {
      expect(answer.status).toBe(404)
      expect(answer.json.error.code).toBe('not_found')
    }
  })

  it('lists a project only when it is not being deleted', async () => {
    const owner = await newOwner('overview-deleting')
    const project = await createProject(owner.workspaceId, { name: 'going' })
    const repository = await createRepository(project, { name: 'r' })
    await scanned(repository, [flaw('a.js', 'critical')])
    await markDeleting(project)

    const answer = (await getOverview({ as: owner.token })).json

    expect(answer.projects.map((row: { project_id: ProjectId }) => row.project_id)).not.toContain(project.id)
    expect(answer.repositories).toEqual([])
    expect(answer.open_findings.critical).toBe(0)
    expect(answer.oldest_open_critical).toBeNull()
  })
})
