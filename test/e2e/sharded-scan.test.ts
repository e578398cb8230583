// Sharded scans end to end (shared/worker/shards.ts), with the real git client, the local gateway, the
// worker (two invocations at a time) and the emulators: a scan split into shards finds exactly what the
// same push scanned whole finds, says how many shards it ran as, leaves no shard results behind, and
// keeps what every shard learnt for the next push.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { config } from '../../shared/config.js'
import { getRepository } from '../../shared/data/repositories.js'
import type { RepositoryId } from '../../shared/ids.js'
import * as objectKeys from '../../shared/storage/object-keys.js'
import { deletePrefix, objectSize } from '../../shared/storage/objects.js'
import { gitClient } from '../support/git-client.js'
import { newOwner, type Person } from '../support/identity.js'
import { unmistakable } from '../support/leaks.js'
import { callApi, startPushHarness, until } from '../support/push-harness.js'
import { commandInjectionJs, vulnerableLockfile } from '../support/sample-app.js'

let harness: Awaited<ReturnType<typeof startPushHarness>>
let owner: Person
const work = mkdtempSync(join(tmpdir(), 'vega-sharded-'))
const git = gitClient(work)
const api = (method: string, path: string, body?: unknown) => callApi(harness.url, owner.token, method, path, body)

/** Shards of 1 KB of blobs, at most 3: this test's few kilobytes are split three ways. */
const sharding = (on: boolean) =>
  Object.assign(config(), { SCAN_SHARD_BYTES: on ? 1024 : 1024 ** 3, SCAN_MAX_SHARDS: 3 })

beforeAll(async () => {
  // Its own queue: the shard size set below is this process's; another file's worker would scan whole.
  harness = await startPushHarness({ concurrency: 2, ownQueue: true })
  owner = await newOwner()
})

afterEach(() => sharding(false))

afterAll(async () => {
  await harness?.stop()
  rmSync(work, { recursive: true, force: true })
})

async function pushAndScan(dir: string, repositoryId: string) {
  const upload = (await api('POST', '/v1/git-uploads', { repository_id: repositoryId })).json
  const push = await git(dir, 'push', upload.remote_url, 'HEAD:refs/heads/main')
  expect(push.code, push.err).toBe(0)
  const scanId = /Scan (scan_\w+) queued/.exec(push.err)![1]!
  return until(async () => {
    const scan = (await api('GET', `/v1/scans/${scanId}`)).json
    return ['succeeded', 'failed', 'cancelled'].includes(scan.status) ? scan : undefined
  }, 60_000)
}

/** The repository's findings as a user compares them: what, where, every location, the fingerprint. */
async function findingsOf(repositoryId: string): Promise<string[]> {
  const items = (await api('GET', `/v1/repositories/${repositoryId}/findings?limit=100`)).json.items as Record<
    string,
    unknown
  >[]
  return items
    .map(({ rule_id, severity, status, path, fingerprint, message, locations, context }) =>
      JSON.stringify({ rule_id, severity, status, path, fingerprint, message, locations, context }),
    )
    .sort()
}

/**
 * Modules, code flaws, a vulnerable lockfile, one secret in two files far apart (one finding, two
 * places, read by different shards) and one that only the history holds.
 */
async function commitApp(dir: string) {
  const shared = `sk_live_${unmistakable(30)}`
  await git(work, 'init', '-q', '-b', 'main', dir)
  writeFileSync(join(dir, 'a-deploy.sh'), `export STRIPE_KEY=${shared}\n`)
  writeFileSync(join(dir, 'old.env'), `STRIPE_SECRET=sk_live_${unmistakable(30)}\n`)
  await git(dir, 'add', '-A')
  await git(dir, 'commit', '-q', '-m', 'first')
  rmSync(join(dir, 'old.env'))
  for (let i = 0; i < 40; i++)
    writeFileSync(
      join(dir, `module-${String(i).padStart(2, '0')}.js`),
      `export const f${i} = (a) => a + ${i} // ${'x'.repeat(60)}\n`,
    )
  writeFileSync(join(dir, 'app.js'), commandInjectionJs)
  writeFileSync(join(dir, 'package-lock.json'), vulnerableLockfile)
  writeFileSync(join(dir, 'z-settings.py'), `STRIPE = "${shared}"\nrun = eval(input())\n`)
  await git(dir, 'add', '-A')
  await git(dir, 'commit', '-q', '-m', 'second')
}

const heldAfter = (repositoryId: string, scanId: string) =>
  until(async () => {
    const objects = (await getRepository(repositoryId as RepositoryId))?.objects
    const memory = await objectSize(objectKeys.cleanBlobs(owner.workspaceId, repositoryId))
    return objects?.scan_id === scanId && memory ? objects : undefined
  })

describe('a scan split into shards', () => {
  it('finds what the same push scanned whole finds, and says it ran as shards', async () => {
    const projectId = (await api('POST', '/v1/projects', { name: 'sharded' })).json.id
    const sharded = (await api('POST', '/v1/repositories', { project_id: projectId, name: 'sharded' })).json.id
    const whole = (await api('POST', '/v1/repositories', { project_id: projectId, name: 'whole' })).json.id
    const dir = join(work, 'app')
    await commitApp(dir)

    sharding(true)
    const inShards = await pushAndScan(dir, sharded)
    sharding(false)
    const inOne = await pushAndScan(dir, whole)

    expect(inShards).toMatchObject({ status: 'succeeded', stats: { shards: 3 } })
    expect(inOne.status).toBe('succeeded')
    expect(inOne.stats.shards).toBeUndefined()
    const { shards: _, ...statsInShards } = inShards.stats
    expect({ ...statsInShards, duration_ms: 0 }).toEqual({ ...inOne.stats, duration_ms: 0 })
    const found = await findingsOf(sharded)
    // The secret in two files is one finding with both places; the removed one is still found.
    const stripe = found
      .map((text) => JSON.parse(text))
      .filter((finding) => finding.locations.some((location: { path: string }) => location.path === 'a-deploy.sh'))
    expect(stripe).toHaveLength(1)
    expect(stripe[0].locations.map((location: { path: string }) => location.path).sort()).toEqual([
      'a-deploy.sh',
      'z-settings.py',
    ])
    expect(found.some((text) => text.includes('old.env'))).toBe(true)
    expect(found.some((text) => text.includes('app.js'))).toBe(true)
    expect(found).toEqual(await findingsOf(whole))
    // Nothing of the shards is left in the bucket once they are merged.
    expect(await deletePrefix(objectKeys.shards(owner.workspaceId, sharded, inShards.id))).toBe(0)
  }, 120_000)

  it('keeps what every shard learnt: the next push reads only what changed', async () => {
    const projectId = (await api('POST', '/v1/projects', { name: 'sharded-twice' })).json.id
    const repositoryId = (await api('POST', '/v1/repositories', { project_id: projectId, name: 'twice' })).json.id
    const dir = join(work, 'twice')
    await commitApp(dir)
    sharding(true)
    const first = await pushAndScan(dir, repositoryId)
    expect(first).toMatchObject({ status: 'succeeded', stats: { shards: 3 } })
    await heldAfter(repositoryId, first.id)

    writeFileSync(join(dir, 'module-07.js'), 'export const seven = 7\n')
    await git(dir, 'add', '-A')
    await git(dir, 'commit', '-q', '-m', 'third')
    const second = await pushAndScan(dir, repositoryId)
    expect(second.status).toBe('succeeded')
    // One blob is new: too little to shard, and the 40 other parsed files are known from every shard.
    expect(second.stats.shards).toBeUndefined()
    expect(second.stats.reuse.code).toMatchObject({ scanned_blobs: 1, reused_blobs: 41 })
  }, 120_000)
})
