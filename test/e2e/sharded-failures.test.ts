// What a sharded scan survives (shared/worker/shards.ts): a shard whose worker dies is redone from its
// message; a shard that fails for good fails the scan; a merge that dies is redone once the sweep queues
// the scan again. A test engine, run beside the product's, is where the trouble is arranged.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { config } from '../../shared/config.js'
import { getScan } from '../../shared/data/scans.js'
import { InputError } from '../../shared/errors.js'
import type { ScanId } from '../../shared/ids.js'
import { requestLog } from '../../shared/log.js'
import type { Engine } from '../../shared/scanning/engine.js'
import { sweepStuckScans } from '../../shared/worker/sweep.js'
import { gitClient } from '../support/git-client.js'
import { newOwner, type Person } from '../support/identity.js'
import { unmistakable } from '../support/leaks.js'
import { callApi, repositoryWith, startPushHarness, until } from '../support/push-harness.js'

/** What goes wrong in the next scan: a shard's worker dies once, a shard fails for good, or the merge dies. */
let trouble: { dies?: number; fails?: number; mergeDies?: boolean } = {}
/** The shards the test engine ran, in order. */
let ran: number[] = []

const troubled: Engine = {
  name: 'troubled',
  run: async () => [],
  sharded: {
    part: async (_, shard) => {
      ran.push(shard.index)
      if (trouble.dies === shard.index) {
        trouble.dies = undefined
        throw new Error('the worker died')
      }
      if (trouble.fails === shard.index) throw new InputError('time_budget', 'the shard ran past its time budget')
      return shard.index
    },
    merge: async (_, parts) => {
      if (trouble.mergeDies) {
        trouble.mergeDies = false
        throw new Error('the worker died while merging')
      }
      // Every shard's part, in shard order, whichever finished first.
      expect(parts).toEqual([0, 1, 2])
      return []
    },
  },
}

let harness: Awaited<ReturnType<typeof startPushHarness>>
let owner: Person
const work = mkdtempSync(join(tmpdir(), 'vega-shard-failures-'))
const git = gitClient(work)
const api = (method: string, path: string, body?: unknown) => callApi(harness.url, owner.token, method, path, body)

beforeAll(async () => {
  const { secretsEngine } = await import('../../shared/scanning/engines/secrets/index.js')
  // A failed invocation's message comes back after 2 s.
  harness = await startPushHarness({ registry: [secretsEngine, troubled], concurrency: 2, visibilityTimeoutS: 2 })
  owner = await newOwner()
  Object.assign(config(), { SCAN_SHARD_BYTES: 1024, SCAN_MAX_SHARDS: 3 })
})

beforeEach(() => {
  trouble = {}
  ran = []
})

afterAll(async () => {
  await harness?.stop()
  rmSync(work, { recursive: true, force: true })
})

/** A repository of a few kilobytes (three shards) with one secret, pushed; the scan's id. */
async function push(name: string): Promise<ScanId> {
  const files: Record<string, string> = { 'deploy.sh': `export STRIPE_KEY=sk_live_${unmistakable(30)}\n` }
  for (let i = 0; i < 30; i++) files[`module-${i}.js`] = `export const f${i} = (a) => a + ${i} // ${'x'.repeat(80)}\n`
  const { repositoryId, dir } = await repositoryWith(api, git, work, name, files)
  const upload = (await api('POST', '/v1/git-uploads', { repository_id: repositoryId })).json
  const pushed = await git(dir, 'push', upload.remote_url, 'HEAD:refs/heads/main')
  expect(pushed.code, pushed.err).toBe(0)
  return /Scan (scan_\w+) queued/.exec(pushed.err)![1]! as ScanId
}

const settled = (id: ScanId) =>
  until(async () => {
    const scan = await getScan(id)
    return scan && !['queued', 'running'].includes(scan.status) ? scan : undefined
  }, 60_000)

describe('a sharded scan', () => {
  it('redoes a shard whose worker died, and succeeds once every shard has', async () => {
    trouble = { dies: 1 }
    const scan = await settled(await push('shard-dies'))
    expect(scan).toMatchObject({ status: 'succeeded', stats: { shards: 3 } })
    expect(ran.filter((index) => index === 1)).toHaveLength(2)
    expect([...new Set(ran)].sort()).toEqual([0, 1, 2])
    const findings = (await api('GET', `/v1/repositories/${scan.repository_id}/findings`)).json.items
    expect(findings).toHaveLength(1)
  }, 90_000)

  it('fails when a shard fails for good, with its code', async () => {
    trouble = { fails: 2 }
    const scan = await settled(await push('shard-fails'))
    expect(scan).toMatchObject({ status: 'failed', error: { code: 'time_budget' } })
    expect((await api('GET', `/v1/repositories/${scan.repository_id}/findings`)).json.items).toEqual([])
  }, 90_000)

  it('is merged again when the merging worker died: the sweep queues it, and every shard is done', async () => {
    trouble = { mergeDies: true }
    const id = await push('merge-dies')
    // Every shard done, the merge died: the scan stays running, its heartbeat falls silent.
    await until(async () => (trouble.mergeDies === false ? true : undefined), 60_000)
    await new Promise((resolve) => setTimeout(resolve, 3_000))
    expect((await getScan(id))?.status).toBe('running')
    const swept = await sweepStuckScans(requestLog({ test: 'sharded' }), Date.now() + 31_000, {
      workspace: owner.workspaceId,
    })
    expect(swept.requeued).toEqual([id])
    const scan = await settled(id)
    expect(scan).toMatchObject({ status: 'succeeded', stats: { shards: 3 } })
    // No shard ran again: the first shard, queued again, found them all done and merged.
    expect(ran.sort()).toEqual([0, 1, 2])
  }, 90_000)
})
