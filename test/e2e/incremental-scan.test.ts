// Incremental scans end to end, with the real git client, the local gateway, the worker and the S3 and
// DynamoDB emulators: a second push of a repository reuses what the first found clean, says so in the
// scan's stats, and yields the findings a first push of the same tree to a new repository yields.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getRepository } from '../../shared/data/repositories.js'
import type { RepositoryId } from '../../shared/ids.js'
import * as objectKeys from '../../shared/storage/object-keys.js'
import { deletePrefix, objectSize } from '../../shared/storage/objects.js'
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

/** Pushes the folder's main to a new remote of the repository; the finished scan, and the objects git sent. */
async function pushAndScan(dir: string, repositoryId: string) {
  const upload = (await api('POST', '/v1/git-uploads', { repository_id: repositoryId })).json
  const push = await git(dir, 'push', upload.remote_url, 'HEAD:refs/heads/main')
  expect(push.code, push.err).toBe(0)
  const scanId = /Scan (scan_\w+) queued/.exec(push.err)![1]!
  const scan = await until(async () => {
    const scan = (await api('GET', `/v1/scans/${scanId}`)).json
    return ['succeeded', 'failed'].includes(scan.status) ? scan : undefined
  }, 60_000)
  return Object.assign(scan, { sent: Number(/Vega received (\d+) objects/.exec(push.err)![1]) })
}

/** A repository of 30 modules, a code flaw and a secret, committed in `dir`. */
async function commitApp(dir: string) {
  await git(work, 'init', '-q', '-b', 'main', dir)
  for (let i = 0; i < 30; i++) writeFileSync(join(dir, `module-${i}.js`), `export const f${i} = (a) => a + ${i}\n`)
  writeFileSync(join(dir, 'app.js'), commandInjectionJs)
  writeFileSync(join(dir, 'deploy.sh'), `export STRIPE_KEY=sk_live_${unmistakable(30)}\n`)
  await git(dir, 'add', '-A')
  await git(dir, 'commit', '-q', '-m', 'first')
}

/**
 * The repository's objects once the scan recorded them, and its memory of clean blobs saved: both are
 * kept a step after the scan succeeded, so a test's next push waits for them as a user's rarely must.
 */
const heldAfter = (repositoryId: string, scanId: string) =>
  until(async () => {
    const objects = (await getRepository(repositoryId as RepositoryId))?.objects
    const memory = await objectSize(objectKeys.cleanBlobs(owner.workspaceId, repositoryId))
    return objects?.scan_id === scanId && memory ? objects : undefined
  })

async function commitChange(dir: string, file: string, text: string) {
  writeFileSync(join(dir, file), text)
  await git(dir, 'add', '-A')
  await git(dir, 'commit', '-q', '-m', `change ${file}`)
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

describe('a push after a push', () => {
  it('sends only what is new (a thin pack on the objects Vega holds) and finds what a whole push finds', async () => {
    const projectId = (await api('POST', '/v1/projects', { name: 'thin' })).json.id
    const repositoryId = await newRepository(projectId, 'thin')
    const dir = join(work, 'thin')
    await commitApp(dir)
    const first = await pushAndScan(dir, repositoryId)
    // 32 files, a tree and a commit.
    expect(first).toMatchObject({ status: 'succeeded', sent: 34 })
    expect(await heldAfter(repositoryId, first.id)).toMatchObject({
      key: expect.stringMatching(/\/push-\w+\.pack$/),
      index_key: objectKeys.packIndex(owner.workspaceId, repositoryId, first.id),
      walk_key: objectKeys.historyWalk(owner.workspaceId, repositoryId, first.id),
      kind: 'pack',
      scan_id: first.id,
    })

    // One file changes: git sends the commit, its tree and the blob, and nothing the first push sent.
    await commitChange(dir, 'module-3.js', 'export const run = (req) => eval(req.query.code)\n')
    const second = await pushAndScan(dir, repositoryId)
    expect(second).toMatchObject({ status: 'succeeded', sent: 3 })
    // The whole pack (the first push's and the thin one's objects) is what the next push builds on.
    expect(await heldAfter(repositoryId, second.id)).toMatchObject({
      key: objectKeys.wholePack(owner.workspaceId, repositoryId, second.id),
      scan_id: second.id,
    })

    await commitChange(dir, 'module-4.js', 'export const four = 4\n')
    const third = await pushAndScan(dir, repositoryId)
    expect(third).toMatchObject({ status: 'succeeded', sent: 3 })
    // Built on a pack Vega wrote: the thin pack is kept as its part, and the whole is not written again.
    expect(await heldAfter(repositoryId, third.id)).toMatchObject({
      key: objectKeys.wholePack(owner.workspaceId, repositoryId, second.id),
      parts: [objectKeys.packPart(owner.workspaceId, repositoryId, third.id)],
    })

    // The same tree pushed whole to a new repository: the same findings.
    const fresh = await newRepository(projectId, 'whole')
    const wholePush = await pushAndScan(dir, fresh)
    expect(wholePush.sent).toBe(34 + 3 + 3)
    expect(await openFindings(repositoryId)).toEqual(await openFindings(fresh))
  }, 120_000)

  it('a push built on objects Vega no longer holds fails with missing_base, and the next push is sent whole', async () => {
    const projectId = (await api('POST', '/v1/projects', { name: 'lost' })).json.id
    const repositoryId = await newRepository(projectId, 'lost')
    const dir = join(work, 'lost')
    await commitApp(dir)
    const first = await pushAndScan(dir, repositoryId)
    expect(first.status).toBe('succeeded')
    // The bucket lost the first push (as when an upload expires).
    const { key } = await heldAfter(repositoryId, first.id)
    await deletePrefix(key)

    await commitChange(dir, 'module-1.js', 'export const one = 1\n')
    const thin = await pushAndScan(dir, repositoryId)
    expect(thin).toMatchObject({ status: 'failed', sent: 3, error: { code: 'missing_base' } })
    expect(thin.error.message).toMatch(/push again/)
    expect((await getRepository(repositoryId as RepositoryId))?.objects).toBeUndefined()

    const again = await pushAndScan(dir, repositoryId)
    expect(again).toMatchObject({ status: 'succeeded', sent: 34 + 3 })
  }, 120_000)
})

describe('a second push of a repository', () => {
  it('reuses the blobs the first scan found clean, says so, and finds what a full scan finds', async () => {
    const projectId = (await api('POST', '/v1/projects', { name: 'incremental' })).json.id
    const repeated = await newRepository(projectId, 'pushed-twice')
    const fresh = await newRepository(projectId, 'pushed-once')
    const dir = join(work, 'app')
    await commitApp(dir)

    const first = await pushAndScan(dir, repeated)
    expect(first.status).toBe('succeeded')
    expect(first.stats.reuse.code).toMatchObject({ reused_blobs: 0, scanned_blobs: 31 })
    await heldAfter(repeated, first.id)

    await commitChange(dir, 'module-7.js', 'export const run = (req) => eval(req.query.code)\n')
    const second = await pushAndScan(dir, repeated)
    const full = await pushAndScan(dir, fresh)

    expect(second.status).toBe('succeeded')
    // Read again: the changed module only. The other 29 modules are known clean, and app.js's finding is
    // taken as the first scan found it.
    expect(second.stats.reuse.code).toEqual({
      scanned_blobs: 1,
      scanned_bytes: expect.any(Number),
      reused_blobs: 30,
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
    const scan = await pushAndScan(dir, repositoryId)
    expect(scan.status).toBe('succeeded')
    await heldAfter(repositoryId, scan.id)
    const key = objectKeys.cleanBlobs(owner.workspaceId, repositoryId)
    expect(await objectSize(key)).toBeGreaterThan(0)

    expect((await api('DELETE', `/v1/repositories/${repositoryId}?cascade=true`)).status).toBe(204)
    expect(await objectSize(key)).toBeUndefined()
  }, 60_000)
})
