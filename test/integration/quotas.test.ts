// Limits and quotas: each refusal with its code, envelope and details, and nothing created.
import { describe, expect, it } from 'vitest'
import { handler as uploads } from '../../functions/git-uploads/handler.js'
import { handler as ops } from '../../functions/ops/handler.js'
import { handler as repositories } from '../../functions/repositories/handler.js'
import { meterScan } from '../../shared/billing/meter.js'
import { tableName, transact } from '../../shared/data/db.js'
import { getWorkspaceLimits, putWorkspaceLimits } from '../../shared/data/quotas.js'
import type { RepositoryRecord } from '../../shared/data/repositories.js'
import { listScansOfRepository, newScanItem, type ScanRecord } from '../../shared/data/scans.js'
import { listUploadsOf, putUpload } from '../../shared/data/uploads.js'
import { newId } from '../../shared/ids.js'
import { Limits } from '../../shared/routes/schemas/ops.js'
import { call, memberOf, newOwner, type Person } from '../support/identity.js'
import { repositoryOf, scanOf } from '../support/scans.js'

/** A scan as the pipeline leaves it; a failed one can be retried, a queued one is in flight. */
async function storedScan(repository: RepositoryRecord, status: ScanRecord['status'], bytes = 10_000) {
  const scan = scanOf(repository, {
    status,
    input: { kind: 'pack', key: `uploads/test/${newId('upload')}.pack`, bytes },
    engines: ['secrets'],
  })
  const item = newScanItem(scan)
  if (status !== 'queued' && status !== 'running') {
    delete (item as Partial<typeof item>).gsi3pk
    delete (item as Partial<typeof item>).gsi3sk
    delete (item as Partial<typeof item>).active_since
  }
  await transact([{ Put: { TableName: tableName(), Item: item } }], () => new Error('exists'))
  return scan
}

const setLimits = (owner: Person, body: unknown) => call(ops, 'PUT', '/v1/ops/limits', { as: owner.token, body })
const retry = (owner: Person, scan: ScanRecord) =>
  call(repositories, 'POST', `/v1/repositories/${scan.repository_id}/scans/${scan.id}/retry`, { as: owner.token })
const scanCount = async (repository: RepositoryRecord) =>
  (await listScansOfRepository(repository.id, { limit: 100 })).items.length

describe('quotas', () => {
  it('refuses the scan past scans_per_day with 429 quota_exceeded naming the limit, and creates nothing', async () => {
    const owner = await newOwner()
    const repository = await repositoryOf(owner)
    const failed = await storedScan(repository, 'failed')
    expect((await setLimits(owner, { limits: { scans_per_day: 1 } })).status).toBe(200)

    const first = await retry(owner, failed)
    const second = await retry(owner, failed)
    const upload = await call(uploads, 'POST', '/v1/git-uploads', {
      as: owner.token,
      body: { repository_id: repository.id },
    })

    expect(first.status).toBe(202)
    // Queued, so it has a place in the queue right in the 202, as a GET would answer.
    expect(first.json.status).toBe('queued')
    expect(first.json.queue_position).toBeGreaterThanOrEqual(1)
    expect(first.headers.location).toMatch(new RegExp(`/v1/repositories/${repository.id}/scans/${first.json.id}$`))
    for (const refused of [second, upload]) {
      expect(refused.status).toBe(429)
      expect(refused.json).toMatchObject({
        schema_version: 1,
        error: { code: 'quota_exceeded', retryable: false, details: { limit: 'scans_per_day', limit_value: 1 } },
      })
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
      expect(refused.json.error.details.retry_after_s).toBe(Number(refused.headers['retry-after']))
    }
    expect(await scanCount(repository)).toBe(2)
    expect((await listUploadsOf(repository.id, { limit: 10 })).items).toEqual([])
  })

  it('refuses a scan while concurrent_scans are queued or running', async () => {
    const owner = await newOwner()
    const repository = await repositoryOf(owner)
    await storedScan(repository, 'queued')
    const failed = await storedScan(repository, 'failed')
    await setLimits(owner, { limits: { concurrent_scans: 1 } })

    const refused = await retry(owner, failed)

    expect(refused.status).toBe(429)
    expect(refused.json.error).toMatchObject({
      code: 'quota_exceeded',
      details: { limit: 'concurrent_scans', limit_value: 1, used: 1 },
    })
    expect(await scanCount(repository)).toBe(2)
  })

  it('refuses with 422 naming max_cost when the estimate is over it, with the figures, on upload and rescan', async () => {
    const owner = await newOwner()
    const repository = await repositoryOf(owner)
    const failed = await storedScan(repository, 'failed', 50_000_000)

    const upload = await call(uploads, 'POST', '/v1/git-uploads', {
      as: owner.token,
      body: { repository_id: repository.id, max_cost: 0.000001 },
    })
    await putUpload({
      id: newId('upload'),
      repository_id: repository.id,
      project_id: repository.project_id,
      workspace_id: repository.workspace_id,
      status: 'received',
      token_sha256: '0'.repeat(64),
      expires_at: new Date().toISOString(),
      scan_id: failed.id,
      created_by: owner.userId,
      created_at: new Date().toISOString(),
      updated_at: new Date().toISOString(),
    })
    const viaRescan = await call(repositories, 'POST', `/v1/repositories/${repository.id}/scans`, {
      as: owner.token,
      body: { max_cost: 0.001 },
    })

    expect(upload.status).toBe(422)
    expect(upload.json.error).toMatchObject({
      code: 'validation_failed',
      retryable: false,
      details: { limit: 'max_cost', max_cost: 0.000001, currency: 'USD', issues: [{ path: 'body.max_cost' }] },
    })
    expect(upload.json.error.details.estimate).toBeGreaterThan(0.000001)
    expect((await listUploadsOf(repository.id, { limit: 10 })).items).toHaveLength(1)
    expect(viaRescan.status).toBe(422)
    expect(viaRescan.json.error).toMatchObject({ code: 'validation_failed', details: { limit: 'max_cost' } })
    expect(await scanCount(repository)).toBe(1)
  })

  it("refuses a scan whose estimate would pass the month's budget, saying what is spent and left", async () => {
    const owner = await newOwner()
    const repository = await repositoryOf(owner)
    const failed = await storedScan(repository, 'failed')
    await meterScan({ ...failed, id: newId('scan') }, { files: 1, bytes: 1_000_000_000, commits: 1, duration_ms: 1000 })

    const set = await setLimits(owner, { monthly_budget: 0.05 })
    const refused = await retry(owner, failed)
    const upload = await call(uploads, 'POST', '/v1/git-uploads', {
      as: owner.token,
      body: { repository_id: repository.id },
    })

    expect(Limits.parse(set.json).monthly_budget).toMatchObject({ amount: 0.05, source: 'workspace' })
    expect(set.json.monthly_budget.spent).toBeGreaterThan(0.05)
    for (const answer of [refused, upload]) {
      expect(answer.status).toBe(429)
      expect(answer.json.error).toMatchObject({
        code: 'quota_exceeded',
        retryable: false,
        details: { limit: 'monthly_budget', budget: 0.05, remaining: 0, currency: 'USD' },
      })
      expect(Number(answer.headers['retry-after'])).toBe(answer.json.error.details.retry_after_s)
      expect(answer.json.error.details.retry_after_s).toBeGreaterThan(0)
      expect(answer.json.error.details.spent).toBe(set.json.monthly_budget.spent)
    }
    expect(await scanCount(repository)).toBe(1)
  })

  it('refuses a bundle over bundle_max_bytes with 413 naming the limit; the upload still waits', async () => {
    const owner = await newOwner()
    const repository = await repositoryOf(owner)
    await setLimits(owner, { limits: { bundle_max_bytes: 1024 } })
    const upload = (
      await call(uploads, 'POST', '/v1/git-uploads', { as: owner.token, body: { repository_id: repository.id } })
    ).json
    await fetch(upload.bundle_upload_url, { method: 'PUT', body: Buffer.alloc(4096, 'x') })

    const completed = await call(uploads, 'POST', `/v1/git-uploads/${upload.id}/complete`, { as: owner.token })

    expect(completed.status).toBe(413)
    expect(completed.json.error).toMatchObject({
      code: 'payload_too_large',
      details: { limit: 'bundle_max_bytes', limit_bytes: 1024 },
    })
    const after = await call(uploads, 'GET', `/v1/git-uploads/${upload.id}`, { as: owner.token })
    expect(after.json).toMatchObject({ status: 'awaiting_push', scan_id: null })
    expect(await scanCount(repository)).toBe(0)
  })

  it('applies a workspace requests_per_minute to its members', async () => {
    const owner = await newOwner()

    const set = await setLimits(owner, { limits: { requests_per_minute: 3 } })
    const answers = []
    for (let i = 0; i < 8 && answers.at(-1)?.status !== 429; i++)
      answers.push(await call(ops, 'GET', '/v1/ops/limits', { as: owner.token }))

    expect(set.status).toBe(200)
    const refused = answers.at(-1)!
    expect(refused.status).toBe(429)
    expect(refused.json.error).toMatchObject({ code: 'rate_limited', retryable: true })
    // At most three requests in a minute window: a window that turned over mid-test allows a few more.
    expect(answers.length).toBeLessThanOrEqual(6)
    for (const answer of answers.slice(0, -1)) expect(answer.headers['x-ratelimit-limit']).toBe('3')
    await putWorkspaceLimits({ ...(await getWorkspaceLimits(owner.workspaceId))!, overrides: {} })
  })
})

describe('limits', () => {
  it('shows each limit with its source and current use', async () => {
    const owner = await newOwner()
    const repository = await repositoryOf(owner)
    await storedScan(repository, 'queued')
    await setLimits(owner, { limits: { retention_days: 3 } })

    const answer = await call(ops, 'GET', '/v1/ops/limits', { as: owner.token })

    const limits = Limits.parse(answer.json)
    const byName = Object.fromEntries(limits.limits.map((limit) => [limit.name, limit]))
    expect(Object.keys(byName).sort()).toEqual([
      'archive_max_bytes',
      'bundle_max_bytes',
      'concurrent_scans',
      'git_push_max_bytes',
      'requests_per_minute',
      'retention_days',
      'scans_per_day',
    ])
    expect(byName.retention_days).toMatchObject({ limit: 3, source: 'workspace', used: null })
    expect(byName.concurrent_scans).toMatchObject({ used: 1, source: 'default' })
    expect(byName.requests_per_minute!.used).toBeGreaterThanOrEqual(1)
    expect(limits.monthly_budget).toMatchObject({ amount: null, spent: 0, source: 'default' })
  })

  it('lets owners tighten a limit or put it back, never raise it; members and admins may not change them', async () => {
    const owner = await newOwner()
    const admin = await memberOf(owner, 'admin')

    const raised = await setLimits(owner, { limits: { scans_per_day: 10_000_000 } })
    const byAdmin = await call(ops, 'PUT', '/v1/ops/limits', {
      as: admin.token,
      body: { limits: { scans_per_day: 1 } },
    })
    const tightened = await setLimits(owner, { limits: { scans_per_day: 5 } })
    const restored = await setLimits(owner, { limits: { scans_per_day: null } })
    const unknown = await setLimits(owner, { limits: { seats: 3 } })

    expect(raised.status).toBe(422)
    expect(raised.json.error.details.issues[0].path).toBe('body.limits.scans_per_day')
    expect(byAdmin.status).toBe(403)
    expect(tightened.json.limits.find((l: { name: string }) => l.name === 'scans_per_day')).toMatchObject({
      limit: 5,
      source: 'workspace',
    })
    expect(restored.json.limits.find((l: { name: string }) => l.name === 'scans_per_day').source).toBe('default')
    expect(unknown.status).toBe(422)
  })
})
