// Operations: the workers view, the cleanup (a dry run lists exactly what the real run removes), the
// advisory import, and who may do each.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { handler as cleanupSchedule } from '../../functions/cleanup/handler.js'
import { handler as uploads } from '../../functions/git-uploads/handler.js'
import { handler as ops } from '../../functions/ops/handler.js'
import { handler as repositories } from '../../functions/repositories/handler.js'
import { tableName, transact } from '../../shared/data/db.js'
import type { RepositoryRecord } from '../../shared/data/repositories.js'
import { getScan, newScanItem } from '../../shared/data/scans.js'
import { newId } from '../../shared/ids.js'
import { requestLog } from '../../shared/log.js'
import { cleanup } from '../../shared/ops/cleanup.js'
import { CleanupReport, Workers } from '../../shared/routes/schemas/ops.js'
import { Scan } from '../../shared/routes/schemas/scans.js'
import * as objectKeys from '../../shared/storage/object-keys.js'
import { objectSize, putObject } from '../../shared/storage/objects.js'
import { call, memberOf, newOwner, type Person, workspaceKey } from '../support/identity.js'
import { repositoryOf, scanOf } from '../support/scans.js'

async function storedScan(repository: RepositoryRecord, status: 'queued' | 'failed', createdAt = new Date()) {
  const scan = scanOf(repository, {
    status,
    input: { kind: 'pack', key: `uploads/test/${newId('upload')}.pack`, bytes: 100 },
    engines: ['secrets'],
    error: status === 'failed' ? { code: 'bad_pack', message: 'no', retryable: false, details: {} } : null,
    created_at: createdAt.toISOString(),
    finished_at: status === 'failed' ? new Date().toISOString() : null,
  })
  const item = newScanItem(scan)
  if (status === 'failed') {
    delete (item as Partial<typeof item>).gsi3pk
    delete (item as Partial<typeof item>).gsi3sk
    delete (item as Partial<typeof item>).active_since
  }
  await transact([{ Put: { TableName: tableName(), Item: item } }], () => new Error('exists'))
  return scan
}

/** An upload released before its bundle was used: its object is what cleanup removes. */
async function releasedUploadObject(owner: Person, repository: RepositoryRecord) {
  const upload = (
    await call(uploads, 'POST', '/v1/git-uploads', { as: owner.token, body: { repository_id: repository.id } })
  ).json
  await fetch(upload.bundle_upload_url, { method: 'PUT', body: '# v2 git bundle\n' })
  await call(uploads, 'DELETE', `/v1/git-uploads/${upload.id}`, { as: owner.token })
  return objectKeys.bundle(owner.workspaceId, repository.id, upload.id)
}

const runCleanup = (owner: Person, body: unknown = {}) =>
  call(ops, 'POST', '/v1/ops/cleanup', { as: owner.token, body })

describe('the workers view', () => {
  it("shows the queues, the workspace's scans by state, stuck scans and failures, and a queued scan's place", async () => {
    const owner = await newOwner()
    const repository = await repositoryOf(owner)
    const stuck = await storedScan(repository, 'queued', new Date(Date.now() - 3_600_000))
    const fresh = await storedScan(repository, 'queued')
    const failed = await storedScan(repository, 'failed')

    const answer = await call(ops, 'GET', '/v1/ops/workers', { as: owner.token })
    const shown = await call(repositories, 'GET', `/v1/repositories/${repository.id}/scans/${fresh.id}`, {
      as: owner.token,
    })
    const over = await call(repositories, 'GET', `/v1/repositories/${repository.id}/scans/${failed.id}`, {
      as: owner.token,
    })

    expect(answer.status).toBe(200)
    const workers = Workers.parse(answer.json)
    for (const figure of Object.values(workers.queue)) expect(figure === null || figure >= 0).toBe(true)
    expect(workers.queue.oldest_age_s).toBeGreaterThanOrEqual(3500)
    expect(workers.scans_by_state).toMatchObject({ queued: 2, failed: 1, running: 0 })
    expect(workers.stuck_scans.map((scan) => scan.id)).toEqual([stuck.id])
    expect(workers.failures).toEqual([expect.objectContaining({ id: failed.id, error_code: 'bad_pack' })])
    // Every ecosystem Vega matches, with a warning for each one not synced lately (or never).
    expect(workers.advisories.map((entry) => entry.ecosystem).sort()).toEqual(
      ['Go', 'Maven', 'NuGet', 'Packagist', 'PyPI', 'RubyGems', 'crates.io', 'npm'].sort(),
    )
    expect(workers.warnings).toHaveLength(workers.advisories.filter((entry) => entry.stale).length)
    for (const warning of workers.warnings) expect(warning).toMatch(/advisories were (never synced|last synced)/)
    expect(Scan.parse(shown.json).queue_position).toBeGreaterThanOrEqual(2)
    expect(over.json.queue_position).toBeNull()
  })

  it("never shows another workspace's scans", async () => {
    const owner = await newOwner()
    const stranger = await newOwner('stranger')
    await storedScan(await repositoryOf(owner), 'queued', new Date(Date.now() - 3_600_000))

    const theirs = await call(ops, 'GET', '/v1/ops/workers', { as: stranger.token })
    const asked = await call(ops, 'GET', '/v1/ops/workers', {
      as: stranger.token,
      query: `workspace_id=${owner.workspaceId}`,
    })

    expect(theirs.json.scans_by_state).toEqual({ queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 })
    expect(theirs.json.stuck_scans).toEqual([])
    expect(asked.status).toBe(404)
    expect(asked.json.error.code).toBe('not_found')
  })
})

describe('cleanup', () => {
  it('lists in a dry run, changing nothing, exactly what the real run then removes', async () => {
    const owner = await newOwner()
    const repository = await repositoryOf(owner)
    const released = await releasedUploadObject(owner, repository)
    const live = (
      await call(uploads, 'POST', '/v1/git-uploads', { as: owner.token, body: { repository_id: repository.id } })
    ).json
    await fetch(live.bundle_upload_url, { method: 'PUT', body: '# v2 git bundle\n' })
    const stuck = await storedScan(repository, 'queued', new Date(Date.now() - 3_600_000))

    const before = await getScan(stuck.id)
    const dry = await runCleanup(owner)
    const untouched = { object: await objectSize(released), scan: await getScan(stuck.id) }
    const real = await runCleanup(owner, { dry_run: false })

    expect(dry.status).toBe(200)
    const listed = CleanupReport.parse(dry.json)
    expect(listed).toMatchObject({ dry_run: true, workspace_id: owner.workspaceId, truncated: false })
    expect(listed.expired_uploads.keys).toEqual([released])
    expect(listed.stuck_scans.requeued).toEqual([stuck.id])
    expect(untouched.object).toBeGreaterThan(0)
    expect(untouched.scan).toEqual(before)
    const done = CleanupReport.parse(real.json)
    expect({ ...done, dry_run: true }).toEqual(listed)
    expect(await objectSize(released)).toBeUndefined()
    expect(await objectSize(objectKeys.bundle(owner.workspaceId, repository.id, live.id))).toBeGreaterThan(0)
    expect((await getScan(stuck.id))?.active_since).not.toBe(untouched.scan?.active_since)
  })

  it('leaves an orphaned object alone for an hour (a push may be mid-transaction), then lists it', async () => {
    const owner = await newOwner()
    const repository = await repositoryOf(owner)
    const orphan = objectKeys.bundle(owner.workspaceId, repository.id, newId('upload'))
    await putObject(orphan, Buffer.from('left behind'))
    const log = requestLog({ test: 'ops' })

    const now = await cleanup(log, { dryRun: true, workspace: owner.workspaceId })
    const later = await cleanup(log, { dryRun: true, workspace: owner.workspaceId, now: Date.now() + 2 * 3_600_000 })

    expect(now.orphans.keys).toEqual([])
    expect(later.orphans.keys).toEqual([orphan])
  })

  it('keeps what a repository keeps between scans while it exists, then lists it as an orphan', async () => {
    const owner = await newOwner()
    const repository = await repositoryOf(owner)
    const kept = [
      objectKeys.cleanBlobs(owner.workspaceId, repository.id),
      objectKeys.wholePack(owner.workspaceId, repository.id, newId('scan')),
    ]
    for (const key of kept) await putObject(key, Buffer.from('kept'))
    const gone = objectKeys.cleanBlobs(owner.workspaceId, newId('repository'))
    await putObject(gone, Buffer.from('kept by a repository since deleted'))
    const log = requestLog({ test: 'ops' })

    const later = await cleanup(log, { dryRun: true, workspace: owner.workspaceId, now: Date.now() + 2 * 3_600_000 })

    expect(later.orphans.keys).toEqual([gone])
    expect(later.past_retention.keys).toEqual([])
  })

  it("touches only the caller's workspace", async () => {
    const owner = await newOwner()
    const stranger = await newOwner('stranger')
    const theirs = await releasedUploadObject(owner, await repositoryOf(owner))

    const report = await runCleanup(stranger, { dry_run: false })
    const asked = await runCleanup(stranger, { workspace_id: owner.workspaceId, dry_run: false })

    expect(report.json.expired_uploads.count).toBe(0)
    expect(asked.status).toBe(404)
    expect(await objectSize(theirs)).toBeGreaterThan(0)
  })

  it('runs on the schedule over every workspace and is shown on the workers view', async () => {
    const owner = await newOwner()
    const released = await releasedUploadObject(owner, await repositoryOf(owner))

    const ran = await cleanupSchedule()
    const workers = await call(ops, 'GET', '/v1/ops/workers', { as: owner.token })

    expect(ran.expired_uploads).toBeGreaterThanOrEqual(1)
    expect(await objectSize(released)).toBeUndefined()
    expect(Date.parse(workers.json.last_cleanup.at)).toBeGreaterThan(Date.now() - 60_000)
    expect(workers.json.last_cleanup.report).not.toHaveProperty('keys')
  })
})

describe('advisories and who may run operations', () => {
  it('imports OSV advisories for an admin, and reports what it skipped', async () => {
    const owner = await newOwner()
    const advisory = JSON.parse(readFileSync('test/fixtures/osv/GHSA-jf85-cpcp-j695.json', 'utf8'))

    const answer = await call(ops, 'POST', '/v1/ops/advisories', {
      as: owner.token,
      body: { advisories: [advisory, { id: 'not-osv' }] },
    })

    expect(answer.status).toBe(200)
    expect(answer.json.imported + answer.json.updated + answer.json.unchanged).toBe(1)
    expect(answer.json.skipped).toBe(1)
    expect(answer.json.notes).toHaveLength(1)
  })

  it('refuses members, viewers and keys without the ops scope with 403, and checks the body', async () => {
    const owner = await newOwner()
    const member = await memberOf(owner, 'member')
    const viewer = await memberOf(owner, 'viewer')
    const readKey = await workspaceKey(owner, 'ci', ['read', 'write'])
    const opsKey = await workspaceKey(owner, 'ops', ['ops'])

    const refused = [
      await call(ops, 'GET', '/v1/ops/workers', { as: member.token }),
      await call(ops, 'GET', '/v1/ops/limits', { as: viewer.token }),
      await runCleanup({ ...owner, token: member.token }),
      await call(ops, 'POST', '/v1/ops/advisories', { as: member.token, body: { advisories: [{}] } }),
      await call(ops, 'GET', '/v1/ops/workers', { as: readKey.secret }),
    ]
    const byOpsKey = await call(ops, 'POST', '/v1/ops/cleanup', { as: opsKey.secret, body: {} })
    const bad = await runCleanup(owner, { dry_run: 'no' })

    for (const answer of refused) {
      expect(answer.status).toBe(403)
      expect(answer.json.error.code).toBe('forbidden')
    }
    expect(byOpsKey.status).toBe(200)
    expect(byOpsKey.json.dry_run).toBe(true)
    expect(bad.status).toBe(422)
    expect(bad.json.error.details.issues[0].path).toBe('body.dry_run')
  })
})
