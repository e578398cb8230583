// Suppressions against the emulators: bound to a fingerprint or to a rule and a path glob, applied by
// the scans that see their findings, listed when unused, reopening their findings when they expire or
// are deleted.
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { handler as repositories } from '../../functions/repositories/handler.js'
import { listFindingsOf } from '../../shared/data/findings.js'
import { getRepository, openFindings, recordLastScan } from '../../shared/data/repositories.js'
import { fingerprintOf } from '../../shared/findings/fingerprint.js'
import { recordFindings } from '../../shared/findings/record.js'
import type { EngineFinding } from '../../shared/scanning/engine.js'
import { call, newOwner } from '../support/identity.js'
import { codeFinding, repositoryOf, scanOf } from '../support/scans.js'

const flaw = (path: string, rule = 'js-code-injection') =>
  codeFinding(path, { rule_id: rule, line: 2, identity: `eval(${path.length})` })

async function setup() {
  const owner = await newOwner()
  const repository = await repositoryOf(owner)
  const base = `/v1/repositories/${repository.id}`
  const scan = async (found: EngineFinding[]) => {
    const record = scanOf(repository, { status: 'running', engines: ['code'] })
    const counts = await recordFindings(record, found, ['code'])
    await recordLastScan(repository.id, { id: record.id, status: 'succeeded', finished_at: new Date().toISOString() })
    return { id: record.id, counts }
  }
  const suppress = (body: unknown) => call(repositories, 'POST', `${base}/suppressions`, { as: owner.token, body })
  const statuses = async () =>
    Object.fromEntries(
      (await listFindingsOf(repository.id, { limit: 100 })).items.map((finding) => [finding.path, finding.status]),
    )
  const high = async () => openFindings((await getRepository(repository.id))!).high
  return { owner, repository, base, scan, suppress, statuses, high }
}

describe('suppressions', () => {
  it('dismisses the finding of a fingerprint at the next scan, and lists a suppression that matched nothing as unused', async () => {
    const s = await setup()
    await s.scan([flaw('a.js'), flaw('b.js')])

    const created = await s.suppress({ fingerprint: fingerprintOf(flaw('a.js')), reason: 'vendored code' })
    const idle = await s.suppress({ rule: 'js-sql-injection', path: 'legacy/**', reason: 'rewrite planned' })
    const next = await s.scan([flaw('a.js'), flaw('b.js')])
    const unused = await call(repositories, 'GET', `${s.base}/suppressions`, {
      as: s.owner.token,
      query: 'unused=true',
    })
    const all = await call(repositories, 'GET', `${s.base}/suppressions`, { as: s.owner.token })

    expect(created.status).toBe(201)
    expect(created.json).toMatchObject({ status: 'active', owner: s.owner.userId, last_matched_at: null })
    expect(await s.statuses()).toEqual({ 'a.js': 'dismissed', 'b.js': 'open' })
    expect(await s.high()).toBe(1)
    expect(unused.json.items.map((item: { id: string }) => item.id)).toEqual([idle.json.id])
    const matched = all.json.items.find((item: { id: string }) => item.id === created.json.id)
    expect(matched.last_matched_scan_id).toBe(next.id)
    const finding = (await listFindingsOf(s.repository.id, { limit: 10 })).items.find((f) => f.path === 'a.js')!
    expect(finding).toMatchObject({ dismissed_reason: 'suppressed', dismissed_via: created.json.id })
  })

  it('creates findings a rule-and-glob suppression covers already dismissed, never counted open', async () => {
    const s = await setup()
    await s.suppress({ rule: 'js-code-injection', path: 'test/**', reason: 'test fixtures' })

    const first = await s.scan([flaw('test/unit/a.js'), flaw('src/b.js'), flaw('test/c.js', 'js-xss')])

    expect(first.counts.new).toBe(3)
    expect(await s.statuses()).toEqual({ 'test/unit/a.js': 'dismissed', 'src/b.js': 'open', 'test/c.js': 'open' })
    expect(await s.high()).toBe(2)
  })

  it('reopens its findings when it expires (at the next scan) or is deleted (at once)', async () => {
    const s = await setup()
    const soon = new Date(Date.now() + 1500).toISOString()
    await s.suppress({ fingerprint: fingerprintOf(flaw('a.js')), reason: 'until the fix ships', expires_at: soon })
    const forever = await s.suppress({ fingerprint: fingerprintOf(flaw('b.js')), reason: 'accepted risk' })
    await s.scan([flaw('a.js'), flaw('b.js')])
    expect(await s.statuses()).toEqual({ 'a.js': 'dismissed', 'b.js': 'dismissed' })

    await sleep(Math.max(0, Date.parse(soon) - Date.now()) + 100)
    const later = await s.scan([flaw('a.js'), flaw('b.js')])
    const deleted = await call(repositories, 'DELETE', `${s.base}/suppressions/${forever.json.id}`, {
      as: s.owner.token,
    })

    expect(later.counts.reopened).toBe(1)
    expect(deleted.status).toBe(204)
    expect(await s.statuses()).toEqual({ 'a.js': 'open', 'b.js': 'open' })
    expect(await s.high()).toBe(2)
  })

  it.each([
    [{ reason: 'r' }, 'body.fingerprint'],
    [{ fingerprint: 'a'.repeat(64), rule: 'x', reason: 'r' }, 'body.fingerprint'],
    [{ path: 'test/**', reason: 'r', fingerprint: 'a'.repeat(64) }, 'body.path'],
    [{ fingerprint: 'not-a-fingerprint', reason: 'r' }, 'body.fingerprint'],
    [{ rule: 'x', reason: 'r', expires_at: '2020-01-01T00:00:00.000Z' }, 'body.expires_at'],
    [{ rule: 'x', reason: '' }, 'body.reason'],
  ])('refuses %j with 422 naming %s, creating nothing', async (body, path) => {
    const s = await setup()

    const answer = await s.suppress(body)

    expect([answer.status, answer.json.error.code]).toEqual([422, 'validation_failed'])
    expect(answer.json.error.details.issues.map((issue: { path: string }) => issue.path)).toContain(path)
    const listed = await call(repositories, 'GET', `${s.base}/suppressions`, { as: s.owner.token })
    expect(listed.json.items).toEqual([])
  })

  it("keeps another workspace's owner out (404) and its suppressions untouched", async () => {
    const s = await setup()
    const mine = await s.suppress({ rule: 'x', reason: 'r' })
    const intruder = await newOwner('intruder')

    const list = await call(repositories, 'GET', `${s.base}/suppressions`, { as: intruder.token })
    const create = await call(repositories, 'POST', `${s.base}/suppressions`, {
      as: intruder.token,
      body: { rule: 'y', reason: 'mine now' },
    })
    const remove = await call(repositories, 'DELETE', `${s.base}/suppressions/${mine.json.id}`, { as: intruder.token })

    expect([list.status, create.status, remove.status]).toEqual([404, 404, 404])
    const listed = await call(repositories, 'GET', `${s.base}/suppressions`, { as: s.owner.token })
    expect(listed.json.items.map((item: { id: string }) => item.id)).toEqual([mine.json.id])
  })
})
