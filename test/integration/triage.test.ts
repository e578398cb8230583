// Triage over HTTP against the emulators: dismiss with a reason and reopen (counters and history move
// once), triage that survives re-scans, bulk triage with a dry run, and the dismissal requests that keep a
// critical finding open until another admin approves.
import { describe, expect, it } from 'vitest'
import { handler as repositories } from '../../functions/repositories/handler.js'
import { handler as triageApi } from '../../functions/triage/handler.js'
import { putDismissal } from '../../shared/data/dismissals.js'
import { getRepository, openFindings } from '../../shared/data/repositories.js'
import { recordFindings } from '../../shared/findings/record.js'
import { newId, type UserId } from '../../shared/ids.js'
import type { EngineFinding, Severity } from '../../shared/scanning/engine.js'
import { call, memberOf, newOwner, type Person } from '../support/identity.js'
import { codeFinding, repositoryOf, scanOf } from '../support/scans.js'

const flaw = (path: string, severity: Severity, text = 'eval(x)') =>
  codeFinding(path, { severity, rule_id: `js-${severity}-rule`, text })

async function scanned(found: EngineFinding[]) {
  const owner = await newOwner()
  const repository = await repositoryOf(owner)
  const scan = () => scanOf(repository, { status: 'running', engines: ['code'] })
  await recordFindings(scan(), found, ['code'])
  const base = `/v1/repositories/${repository.id}`
  const list = async (as: string = owner.token) =>
    (await call(repositories, 'GET', `${base}/findings`, { as, query: 'limit=100' })).json.items as {
      id: string
      path: string
      status: string
      severity: Severity
      pending_dismissal: { id: string } | null
      triage: { reason: string; comment: string } | null
    }[]
  const byPath = async (path: string) => (await list()).find((finding) => finding.path === path)!
  const patch = (id: string, body: unknown, as: string = owner.token) =>
    call(repositories, 'PATCH', `${base}/findings/${id}`, { as, body })
  const rescan = (again: EngineFinding[]) => recordFindings(scan(), again, ['code'])
  const counters = async () => openFindings((await getRepository(repository.id))!)
  return { owner, repository, base, list, byPath, patch, rescan, counters }
}

const decide = (id: string, verdict: 'approve' | 'deny', as: string, comment = 'looked at it') =>
  call(triageApi, 'POST', `/v1/dismissal-requests/${id}/${verdict}`, { as, body: { comment } })

describe('triage', () => {
  it('dismisses with a reason and reopens, moving the counter once each way, with history and events', async () => {
    const t = await scanned([flaw('a.js', 'high')])
    const finding = await t.byPath('a.js')

    const dismissed = await t.patch(finding.id, { status: 'dismissed', reason: 'used_in_tests', comment: 'fixture' })
    const again = await t.patch(finding.id, { status: 'dismissed', reason: 'wont_fix' })
    const afterDismiss = await t.counters()
    const reopened = await t.patch(finding.id, { status: 'open', comment: 'not a fixture after all' })
    const detail = await call(repositories, 'GET', `${t.base}/findings/${finding.id}`, { as: t.owner.token })

    expect(dismissed.json).toMatchObject({
      status: 'dismissed',
      triage: { reason: 'used_in_tests', comment: 'fixture', via: null },
    })
    expect(again.json.triage.reason).toBe('used_in_tests')
    expect(afterDismiss.high).toBe(0)
    expect(reopened.json).toMatchObject({ status: 'open', triage: null })
    expect((await t.counters()).high).toBe(1)
    expect(detail.json.history.map((h: { change: string }) => h.change)).toEqual(['dismissed', 'reopened'])
    expect(detail.json.occurrences).toHaveLength(1)
  })

  it('keeps a dismissal through re-scans that still see the finding, and through one that does not', async () => {
    const t = await scanned([flaw('a.js', 'medium'), flaw('b.js', 'medium')])
    const finding = await t.byPath('a.js')
    await t.patch(finding.id, { status: 'dismissed', reason: 'false_positive' })

    await t.rescan([flaw('a.js', 'medium'), flaw('b.js', 'medium')])
    await t.rescan([flaw('b.js', 'medium')])
    await t.rescan([flaw('a.js', 'medium'), flaw('b.js', 'medium')])

    expect((await t.byPath('a.js')).status).toBe('dismissed')
    expect((await t.counters()).medium).toBe(1)
  })

  it('refuses a dismissal without a reason (422) and a viewer (403), changing nothing', async () => {
    const t = await scanned([flaw('a.js', 'low')])
    const viewer = await memberOf(t.owner, 'viewer')
    const finding = await t.byPath('a.js')

    const noReason = await t.patch(finding.id, { status: 'dismissed' })
    const asViewer = await t.patch(finding.id, { status: 'dismissed', reason: 'wont_fix' }, viewer.token)
    const unknownField = await t.patch(finding.id, { status: 'dismissed', reason: 'wont_fix', severity: 'info' })

    expect([noReason.status, noReason.json.error.code]).toEqual([422, 'validation_failed'])
    expect(noReason.json.error.details.issues[0].path).toBe('body.reason')
    expect([asViewer.status, unknownField.status]).toEqual([403, 422])
    expect((await t.byPath('a.js')).status).toBe('open')
    expect((await t.counters()).low).toBe(1)
  })

  it('keeps a critical finding open until another admin approves its dismissal request', async () => {
    const t = await scanned([flaw('secret.js', 'critical'), flaw('other.js', 'critical', 'eval(y)')])
    const admin = await memberOf(t.owner, 'admin')
    const [target, other] = [await t.byPath('secret.js'), await t.byPath('other.js')]

    const asked = await t.patch(target.id, { status: 'dismissed', reason: 'false_positive', comment: 'test key' })
    const twice = await t.patch(target.id, { status: 'dismissed', reason: 'false_positive' })
    const pending = await call(triageApi, 'GET', '/v1/dismissal-requests', { as: admin.token, query: 'status=pending' })
    const requestId = asked.json.pending_dismissal.id
    const ownApproval = await decide(requestId, 'approve', t.owner.token)
    const stillOpen = await t.byPath('secret.js')
    const approved = await decide(requestId, 'approve', admin.token, 'agreed: a test key')
    const decidedTwice = await decide(requestId, 'deny', admin.token)

    expect(asked.json).toMatchObject({ status: 'open', pending_dismissal: { id: expect.stringMatching(/^dsr_/) } })
    expect([twice.status, twice.json.error.code]).toEqual([409, 'conflict'])
    expect(pending.json.items.map((r: { id: string }) => r.id)).toEqual([requestId])
    expect([ownApproval.status, stillOpen.status]).toEqual([403, 'open'])
    expect(approved.json).toMatchObject({ status: 'approved', decided_by: admin.userId })
    expect((await t.byPath('secret.js')).triage).toMatchObject({ reason: 'false_positive', comment: 'test key' })
    expect([decidedTwice.status, decidedTwice.json.error.code]).toEqual([409, 'conflict'])
    expect((await t.counters()).critical).toBe(1)

    const denyAsk = await t.patch(other.id, { status: 'dismissed', reason: 'wont_fix' })
    const denied = await decide(denyAsk.json.pending_dismissal.id, 'deny', admin.token, 'fix it')
    const afterDeny = await call(repositories, 'GET', `${t.base}/findings/${other.id}`, { as: t.owner.token })
    expect(denied.json.status).toBe('denied')
    expect(afterDeny.json).toMatchObject({ status: 'open', pending_dismissal: null })
    expect(afterDeny.json.history.map((h: { change: string }) => h.change)).toEqual([
      'dismissal_requested',
      'dismissal_denied',
    ])
  })

  it('answers 410 for an expired request and hides requests from other workspaces', async () => {
    const t = await scanned([flaw('a.js', 'critical')])
    const admin = await memberOf(t.owner, 'admin')
    const intruder: Person = await newOwner('intruder')
    const finding = await t.byPath('a.js')
    const expired = newId('dismissalRequest')
    await putDismissal({
      id: expired,
      workspace_id: t.owner.workspaceId,
      repository_id: t.repository.id,
      finding_id: finding.id as never,
      status: 'pending',
      reason: 'wont_fix',
      comment: '',
      requested_by: t.owner.userId as UserId,
      decided_by: null,
      decision_comment: null,
      created_at: new Date(Date.now() - 10_000).toISOString(),
      expires_at: new Date(Date.now() - 1000).toISOString(),
    })

    const late = await decide(expired, 'approve', admin.token)
    const listedExpired = await call(triageApi, 'GET', '/v1/dismissal-requests', {
      as: admin.token,
      query: 'status=expired',
    })
    const foreign = await decide(expired, 'approve', intruder.token)
    const foreignList = await call(triageApi, 'GET', '/v1/dismissal-requests', {
      as: intruder.token,
      query: `workspace_id=${t.owner.workspaceId}`,
    })

    expect([late.status, late.json.error.code]).toEqual([410, 'gone'])
    expect(listedExpired.json.items.map((r: { id: string }) => r.id)).toEqual([expired])
    expect([foreign.status, foreignList.status]).toEqual([404, 404])
    expect((await t.byPath('a.js')).status).toBe('open')
  })

  it('triages in bulk by filter: a dry run counts, the real run changes, critical ones become requests', async () => {
    const t = await scanned([
      flaw('test/a.js', 'high'),
      flaw('test/b.js', 'medium'),
      flaw('test/c.js', 'critical'),
      flaw('src/d.js', 'high'),
    ])
    const body = { filter: { path: 'test/' }, status: 'dismissed', reason: 'used_in_tests' }
    const url = `${t.base}/findings/triage`

    const dry = await call(repositories, 'POST', url, { as: t.owner.token, body })
    const afterDry = (await t.list()).filter((finding) => finding.status === 'dismissed')
    const real = await call(repositories, 'POST', url, { as: t.owner.token, body: { ...body, dry_run: false } })
    const statuses = Object.fromEntries((await t.list()).map((finding) => [finding.path, finding.status]))

    expect(dry.json).toMatchObject({ dry_run: true, matched: 3, dismissed: 2, requested: 1, truncated: false })
    expect(afterDry).toEqual([])
    expect(real.json).toMatchObject({ dry_run: false, matched: 3, dismissed: 2, requested: 1 })
    expect(statuses).toEqual({
      'test/a.js': 'dismissed',
      'test/b.js': 'dismissed',
      'test/c.js': 'open',
      'src/d.js': 'open',
    })
    expect(await t.counters()).toMatchObject({ high: 1, medium: 0, critical: 1 })
  })
})
