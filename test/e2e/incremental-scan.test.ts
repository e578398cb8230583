// Incremental scans end to end, with the real git client, the local gateway, the worker and the S3 and
// DynamoDB emulators: a second push of a repository reuses what the first found clean, says so in the
// scan's stats, and yields the findings a first push of the same tree to a new repository yields.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { objectKeys } from '../../shared/storage/bucket.js'
import { objectSize } from '../../shared/storage/objects.js'
import { gitClient } from '../support/git-client.js'
import { newOwner, type Person } from '../support/identity.js'
import { unmistakable } from '../support/leaks.js'
import { callApi, startPushHarness, until } from '../support/push-harness.js'
import { commandInjectionJs } from '../support/sample-app.js'

let harness: Awaited<ReturnType<typeof startPushHarness>>
let owner: Person
const work = mkdtempSync(join(tmpdir(), 'vega-incremental-'))
const git = gitClient(work)

const api = (method: string, path: string, body?: unknown) => callApi(harness.url, owner.token, method, path, body)

beforeAll(async () => {
  harness = await startPushHarness()
  owner = await newOwner()
})

afterAll(async () => {
  await harness?.stop()
  rmSync(work, { recursive: true, force: true })
})

interface Finding {
  rule_id: string
  severity: string
  path: string
  fingerprint: string
  message: string
  locations: unknown[]
}

async function newRepository(projectId: string, name: string): Promise<string> {
  return (await api('POST', '/v1/repositories', { project_id: projectId, name })).json.id
}

/** Pushes the folder's main to a new remote of the repository; the finished scan. */
async function pushAndScan(dir: string, repositoryId: string) {
  const upload = (await api('POST', '/v1/git-uploads', { repository_id: repositoryId })).json
  const push = await git(dir, 'push', upload.remote_url, 'HEAD:refs/heads/main')
  expect(push.code, push.err).toBe(0)
  const scanId = /Scan (scan_\w+) queued/.exec(push.err)![1]!
  return until(async () => {
    const scan = (await api('GET', `/v1/scans/${scanId}`)).json
    return ['succeeded', 'failed'].includes(scan.status) ? scan : undefined
  }, 60_000)
}

/** The repository's open findings, as a user compares them: what, where, and the fingerprint. */
async function openFindings(repositoryId: string): Promise<string[]> {
  const items = (await api('GET', `/v1/repositories/${repositoryId}/findings?status=open&limit=100`)).json
    .items as Finding[]
  return items
    .map(({ rule_id, severity, path, fingerprint, message, locations }) =>
      JSON.stringify({ rule_id, severity, path, fingerprint, message, locations }),
    )
    .sort()
}

describe('a second push of a repository', () => {
  it('reuses the blobs the first scan found clean, says so, and finds what a full scan finds', async () => {
    const projectId = (await api('POST', '/v1/projects', { name: 'incremental' })).json.id
    const repeated = await newRepository(projectId, 'pushed-twice')
    const fresh = await newRepository(projectId, 'pushed-once')
    const dir = join(work, 'app')
    await git(work, 'init', '-q', '-b', 'main', dir)
    for (let i = 0; i < 30; i++) writeFileSync(join(dir, `module-${i}.js`), `export const f${i} = (a) => a + ${i}\n`)
    writeFileSync(join(dir, 'app.js'), commandInjectionJs)
    writeFileSync(join(dir, 'deploy.sh'), `export STRIPE_KEY=sk_live_${unmistakable(30)}\n`)
    await git(dir, 'add', '-A')
    await git(dir, 'commit', '-q', '-m', 'first')

    const first = await pushAndScan(dir, repeated)
    expect(first.status).toBe('succeeded')
    expect(first.stats.reuse.code).toMatchObject({ reused_blobs: 0, scanned_blobs: 31 })
    expect(await objectSize(objectKeys.cleanBlobs(owner.workspaceId, repeated))).toBeGreaterThan(0)

    writeFileSync(join(dir, 'module-7.js'), 'export const run = (req) => eval(req.query.code)\n')
    await git(dir, 'commit', '-q', '-am', 'second')
    const second = await pushAndScan(dir, repeated)
    const full = await pushAndScan(dir, fresh)

    expect(second.status).toBe('succeeded')
    // Read again: the changed module and app.js, which has a finding. The other 29 modules are reused.
    expect(second.stats.reuse.code).toEqual({
      scanned_blobs: 2,
      scanned_bytes: expect.any(Number),
      reused_blobs: 29,
      reused_bytes: expect.any(Number),
    })
    expect(second.stats.reuse.secrets.reused_blobs).toBeGreaterThanOrEqual(30)
    expect(full.stats.reuse.code).toMatchObject({ reused_blobs: 0, scanned_blobs: 31 })
    const found = await openFindings(repeated)
    expect(found.some((finding) => finding.includes('module-7.js'))).toBe(true)
    expect(found).toEqual(await openFindings(fresh))
  }, 120_000)

  it('the memory goes with its repository', async () => {
    const projectId = (await api('POST', '/v1/projects', { name: 'forgotten' })).json.id
    const repositoryId = await newRepository(projectId, 'deleted')
    const dir = join(work, 'deleted')
    await git(work, 'init', '-q', '-b', 'main', dir)
    writeFileSync(join(dir, 'index.js'), 'export const x = 1\n')
    await git(dir, 'add', '-A')
    await git(dir, 'commit', '-q', '-m', 'first')
    expect((await pushAndScan(dir, repositoryId)).status).toBe('succeeded')
    const key = objectKeys.cleanBlobs(owner.workspaceId, repositoryId)
    expect(await objectSize(key)).toBeGreaterThan(0)

    expect((await api('DELETE', `/v1/repositories/${repositoryId}?cascade=true`)).status).toBe(204)
    expect(await objectSize(key)).toBeUndefined()
  }, 60_000)
})
