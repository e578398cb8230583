// The scan worker against the emulators: inputs are real packs made by git, stored in S3 like a push.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DeleteObjectCommand } from '@aws-sdk/client-s3'
import { SendMessageCommand } from '@aws-sdk/client-sqs'
import type { Context } from 'aws-lambda'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { handler as cleanup } from '../../functions/cleanup/handler.js'
import { handler as repositories } from '../../functions/repositories/handler.js'
import { handler as worker } from '../../functions/scan-worker/handler.js'
import { sqsEvent as scanEvent, sqsRecord } from '../../infra/local/sqs-event.js'
import { s3, sqs } from '../../shared/aws/clients.js'
import { config } from '../../shared/config.js'
import { listEvents } from '../../shared/data/events.js'
import { listFindingsOf } from '../../shared/data/findings.js'
import { getRepository, openFindings } from '../../shared/data/repositories.js'
import {
  cancelScan,
  claimRecording,
  finishScan,
  getScan,
  heartbeatScan,
  type ScanRecord,
  startScan,
} from '../../shared/data/scans.js'
import { listUsageLines } from '../../shared/data/usage.js'
import type { WorkspaceId } from '../../shared/ids.js'
import { requestLog } from '../../shared/log.js'
import type { Engine } from '../../shared/scanning/engine.js'
import { putObject } from '../../shared/storage/objects.js'
import { keepAlive } from '../../shared/worker/keep-alive.js'
import { runScan } from '../../shared/worker/run-scan.js'
import { requeueStuckScans, sweepStuckScans } from '../../shared/worker/sweep.js'
import { commitAll, gitText, initRepo, packOf, removeTempDirs } from '../support/git-fixtures.js'
import { call, newOwner } from '../support/identity.js'
import { codeFinding, queuedPackScan, repositoryOf } from '../support/scans.js'

afterAll(removeTempDirs)
const log = requestLog({ test: 'scan-worker' })

/** A queued scan of a pack, as a push leaves it. */
async function queuedScan(pack: Buffer, refs: { ref: string; oid: string }[], createdAt = new Date().toISOString()) {
  const owner = await newOwner()
  const repository = await repositoryOf(owner)
  const scan = await queuedPackScan(repository, { pack, refs }, { engines: ['secrets'], created_at: createdAt })
  return Object.assign(scan, { token: owner.token })
}

function smallRepo() {
  const dir = initRepo()
  writeFileSync(join(dir, 'index.js'), 'export const answer = 42\n')
  writeFileSync(join(dir, 'README.md'), '# small\n')
  commitAll(dir, 'first')
  writeFileSync(join(dir, 'index.js'), 'export const answer = 43\n')
  const head = commitAll(dir, 'second')
  return { pack: packOf(dir, 'HEAD'), refs: [{ ref: 'refs/heads/main', oid: head }], dir }
}

/** The scans the usage lines of the workspace's last hour are for. */
async function meteredScanIds(workspaceId: WorkspaceId) {
  const lastHour = {
    from: new Date(Date.now() - 3_600_000).toISOString(),
    to: new Date(Date.now() + 60_000).toISOString(),
  }
  return (await listUsageLines(workspaceId, lastHour, { limit: 10 })).items.map((line) => line.scan_id)
}

const sqsEvent = (scanId: string, messageId = 'm1') => scanEvent(sqsRecord({ scan_id: scanId }, messageId))
const context = {} as Context

describe('the scan worker', () => {
  it('runs a queued scan to succeeded with stats, events and the rollup', async () => {
    const { pack, refs } = smallRepo()
    const scan = await queuedScan(pack, refs)

    const answer = await worker(sqsEvent(scan.id), context)

    expect(answer.batchItemFailures).toEqual([])
    const done = await getScan(scan.id)
    expect(done).toMatchObject({ status: 'succeeded', stats: { files: 2, commits: 2 }, error: null })
    expect(Date.parse(done!.started_at!)).toBeLessThanOrEqual(Date.parse(done!.finished_at!))
    expect(done!.stats!.bytes).toBe(Buffer.byteLength('export const answer = 43\n# small\n'))
    expect((await getRepository(scan.repository_id))?.last_scan_id).toBe(scan.id)
    const events = (await listEvents(scan.repository_id, { limit: 10 })).items.map((event) => event.type)
    expect(events.slice(0, 2)).toEqual(['scan.succeeded', 'scan.started'])
  })

  it('takes effect once when the same message comes twice', async () => {
    const { pack, refs } = smallRepo()
    const scan = await queuedScan(pack, refs)

    await worker(sqsEvent(scan.id), context)
    const first = await getScan(scan.id)
    await worker(sqsEvent(scan.id), context)

    expect(await getScan(scan.id)).toEqual(first)
    const events = (await listEvents(scan.repository_id, { limit: 20 })).items.filter((event) =>
      event.type.startsWith('scan.'),
    )
    expect(events.map((event) => event.type)).toEqual(['scan.succeeded', 'scan.started'])
  })

  it('starts over after a worker dies half-way, and ends as one clean run: one set of findings, one usage line', async () => {
    const { pack, refs } = smallRepo()
    const scan = await queuedScan(pack, refs)
    const found = codeFinding('index.js')
    let calls = 0
    const flaky: Engine = {
      name: 'flaky',
      async run() {
        if (++calls === 1) throw new Error('worker killed mid-scan')
        return [{ ...found, locations: [...found.locations] }]
      },
    }

    await expect(runScan({ scan_id: scan.id }, log, { registry: [flaky] })).rejects.toThrow('worker killed')
    expect((await getScan(scan.id))?.status).toBe('running')
    await runScan({ scan_id: scan.id }, log, { registry: [flaky] })
    await runScan({ scan_id: scan.id }, log, { registry: [flaky] })

    const done = await getScan(scan.id)
    expect(done?.status).toBe('succeeded')
    expect((done as unknown as { attempts: number }).attempts).toBe(2)
    expect((await listFindingsOf(scan.repository_id, { limit: 10 })).items).toHaveLength(1)
    expect(openFindings((await getRepository(scan.repository_id))!).high).toBe(1)
    expect(await meteredScanIds(scan.workspace_id)).toEqual([scan.id])
  })

  it('meters a scan whose worker died after finishing it but before metering, when the message comes again', async () => {
    const { pack, refs } = smallRepo()
    const scan = await queuedScan(pack, refs)
    await startScan(scan.id)
    await finishScan(scan, { status: 'succeeded', stats: { files: 2, bytes: 10, commits: 2, duration_ms: 5 } })

    await runScan({ scan_id: scan.id }, log, { registry: [] })
    await runScan({ scan_id: scan.id }, log, { registry: [] })

    expect(await meteredScanIds(scan.workspace_id)).toEqual([scan.id])
  })

  it('fails a scan whose stored input is not a pack with its code, and finishes the message', async () => {
    const { pack, refs } = smallRepo()
    const scan = await queuedScan(pack, refs)
    await putObject(scan.input.key, Buffer.from('not a pack at all, just some bytes that go on for a while'))

    const answer = await worker(sqsEvent(scan.id), context)

    expect(answer.batchItemFailures).toEqual([])
    expect(await getScan(scan.id)).toMatchObject({ status: 'failed', error: { retryable: false } })
    expect((await getScan(scan.id))?.error?.code).toMatch(/^(bad_signature|corrupt_pack)$/)
  })

  it('reports an unexpected failure as a batch item failure, so the queue retries only that message', async () => {
    const { pack, refs } = smallRepo()
    const scan = await queuedScan(pack, refs)
    const lost = await queuedScan(pack, refs)
    await s3().send(new DeleteObjectCommand({ Bucket: config().UPLOADS_BUCKET, Key: lost.input.key }))
    const event = { Records: [...sqsEvent(scan.id, 'fine').Records, ...sqsEvent(lost.id, 'missing-input').Records] }

    const answer = await worker(event, context)

    expect(answer.batchItemFailures).toEqual([{ itemIdentifier: 'missing-input' }])
    expect((await getScan(scan.id))?.status).toBe('succeeded')
    expect((await getScan(lost.id))?.status).toBe('running')
  })

  it('fails a scan whose tree holds a hostile path with unsafe_path, and lives on', async () => {
    const dir = initRepo()
    const blob = gitText(dir, ['hash-object', '-w', '--stdin'], 'pwned\n')
    const tree = gitText(dir, ['mktree'], `100644 blob ${blob}\t..\n`)
    const commit = gitText(dir, ['commit-tree', tree, '-m', 'hostile'])
    const pack = packOf(dir, commit)
    const scan = await queuedScan(pack, [{ ref: 'refs/heads/main', oid: commit }])

    const answer = await worker(sqsEvent(scan.id), context)

    expect(answer.batchItemFailures).toEqual([])
    expect(await getScan(scan.id)).toMatchObject({ status: 'failed', error: { code: 'unsafe_path' } })
    const healthy = smallRepo()
    const next = await queuedScan(healthy.pack, healthy.refs)
    await worker(sqsEvent(next.id), context)
    expect((await getScan(next.id))?.status).toBe('succeeded')
  })

  it('drops a malformed message without failing the batch', async () => {
    const event = sqsEvent('not-a-scan-id')

    const answer = await worker(event, context)

    expect(answer.batchItemFailures).toEqual([])
  })
})

describe('cancel and retry', () => {
  const scanPath = (scan: ScanRecord, action = '') => `/v1/repositories/${scan.repository_id}/scans/${scan.id}${action}`

  it('cancels a queued scan at once; its message then changes nothing; retry queues a new scan of the same input', async () => {
    const { pack, refs } = smallRepo()
    const scan = await queuedScan(pack, refs)

    const cancelled = await call(repositories, 'POST', scanPath(scan, '/cancel'), { as: scan.token })
    await worker(sqsEvent(scan.id), context)
    const again = await call(repositories, 'POST', scanPath(scan, '/cancel'), { as: scan.token })
    const retried = await call(repositories, 'POST', scanPath(scan, '/retry'), { as: scan.token })

    expect(cancelled.json).toMatchObject({ id: scan.id, status: 'cancelled' })
    expect((await getScan(scan.id))?.status).toBe('cancelled')
    expect(again.status).toBe(409)
    expect(retried.status).toBe(202)
    expect(retried.json).toMatchObject({ status: 'queued', repository_id: scan.repository_id })
    expect(retried.json.id).not.toBe(scan.id)
    expect((await getScan(retried.json.id))?.input).toEqual(scan.input)
  })

  it('stops a running scan at the next engine boundary', async () => {
    const { pack, refs } = smallRepo()
    const scan = await queuedScan(pack, refs)
    let ran = 0
    const slow: Engine = {
      name: 'slow',
      async run() {
        ran++
        return []
      },
    }
    await startScan(scan.id)

    const requested = await call(repositories, 'POST', scanPath(scan, '/cancel'), { as: scan.token })
    await runScan({ scan_id: scan.id }, log, { registry: [slow, slow] })

    expect(requested.json.status).toBe('running')
    expect((await getScan(scan.id))?.status).toBe('cancelled')
    expect(ran).toBe(0)
  })

  it('lets an engine that is running see a cancellation and stop early, and records nothing it found', async () => {
    const { pack, refs } = smallRepo()
    const scan = await queuedScan(pack, refs)
    let stoppedEarly = false
    const long: Engine = {
      name: 'long',
      async run(source) {
        // Asks to cancel its own scan, then works "file by file" until it sees the cancellation.
        await call(repositories, 'POST', scanPath(scan, '/cancel'), { as: scan.token })
        const giveUp = Date.now() + 15_000
        while (!source.cancelled?.() && Date.now() < giveUp) await new Promise((resolve) => setTimeout(resolve, 50))
        stoppedEarly = source.cancelled?.() === true
        return [codeFinding('index.js')]
      },
    }

    await runScan({ scan_id: scan.id }, log, { registry: [long] })

    expect(stoppedEarly).toBe(true)
    expect((await getScan(scan.id))?.status).toBe('cancelled')
    expect((await listFindingsOf(scan.repository_id, { limit: 10 })).items).toEqual([])
  })

  it('decides a cancel against a finishing scan once: refused with 409 after the worker began recording', async () => {
    const { pack, refs } = smallRepo()
    const scan = await queuedScan(pack, refs)
    await startScan(scan.id)
    // The worker's point of no return, as it reaches it after its last engine.
    expect(await claimRecording(scan.id)).toBe(true)

    const refused = await call(repositories, 'POST', scanPath(scan, '/cancel'), { as: scan.token })
    await runScan({ scan_id: scan.id }, log, { registry: [] })

    expect(refused.status).toBe(409)
    expect(refused.json.error.message).toMatch(/will succeed/)
    expect((await getScan(scan.id))?.status).toBe('succeeded')
  })

  it('lets a cancel asked while the last engine returns win: the scan ends cancelled and records nothing', async () => {
    const { pack, refs } = smallRepo()
    const scan = await queuedScan(pack, refs)
    const last: Engine = {
      name: 'last',
      async run() {
        await call(repositories, 'POST', scanPath(scan, '/cancel'), { as: scan.token })
        return [codeFinding('index.js')]
      },
    }

    await runScan({ scan_id: scan.id }, log, { registry: [last] })

    expect((await getScan(scan.id))?.status).toBe('cancelled')
    expect(await claimRecording(scan.id)).toBe(false)
    expect((await listFindingsOf(scan.repository_id, { limit: 10 })).items).toEqual([])
  })

  it('refuses to retry a scan that succeeded, and to rescan a repository never pushed to', async () => {
    const { pack, refs } = smallRepo()
    const scan = await queuedScan(pack, refs)
    await worker(sqsEvent(scan.id), context)

    const retry = await call(repositories, 'POST', scanPath(scan, '/retry'), { as: scan.token })
    const rescan = await call(repositories, 'POST', `/v1/repositories/${scan.repository_id}/scans`, {
      as: scan.token,
      body: {},
    })

    expect(retry.status).toBe(409)
    expect(rescan.status).toBe(409)
  })

  it('fails, as retryable, a scan whose message died in the DLQ', async () => {
    const { pack, refs } = smallRepo()
    const scan = await queuedScan(pack, refs)
    await sqs().send(
      new SendMessageCommand({ QueueUrl: config().SCAN_DLQ_URL, MessageBody: JSON.stringify({ scan_id: scan.id }) }),
    )

    const drained = await cleanup()

    expect(drained.dead_letters.failed).toBeGreaterThanOrEqual(1)
    expect(await getScan(scan.id)).toMatchObject({
      status: 'failed',
      error: { code: 'worker_failed', retryable: true },
    })
    const retried = await call(repositories, 'POST', `/v1/repositories/${scan.repository_id}/scans/${scan.id}/retry`, {
      as: scan.token,
    })
    expect(retried.status).toBe(202)
  })

  it('queues again a scan stuck in queued, once per sweep, and fails one that had its tries', async () => {
    const { pack, refs } = smallRepo()
    const anHourAgo = new Date(Date.now() - 3_600_000).toISOString()
    const lost = await queuedScan(pack, refs, anHourAgo)
    const exhausted = await queuedScan(pack, refs, anHourAgo)
    for (let i = 0; i < 3; i++) await startScan(exhausted.id, anHourAgo)

    const first = await requeueStuckScans(log)
    const lostAfter = (await getScan(lost.id))!
    const second = await requeueStuckScans(log)

    expect(first.requeued).toBeGreaterThanOrEqual(1)
    expect(Date.parse(lostAfter.active_since!)).toBeGreaterThan(Date.now() - 60_000)
    expect(await getScan(exhausted.id)).toMatchObject({
      status: 'failed',
      error: { code: 'worker_failed', retryable: true },
    })
    expect(first.failed).toBeGreaterThanOrEqual(1)
    // Another test file's poller may run the re-queued scan meanwhile; if not, the second sweep left it be.
    const again = (await getScan(lost.id))!
    if (again.status === 'queued') expect(again.active_since).toBe(lostAfter.active_since)
    else expect(['running', 'succeeded']).toContain(again.status)
    expect(second.failed).toBe(0)
  })

  it('keeps a live scan alive with heartbeats, and queues again within a sweep one whose worker fell silent', async () => {
    const { pack, refs } = smallRepo()
    const [alive, dead] = [await queuedScan(pack, refs), await queuedScan(pack, refs)]
    const silentSince = new Date(Date.now() - 45_000).toISOString()
    await startScan(alive.id)
    await startScan(dead.id, silentSince)
    const beat = await heartbeatScan(alive.id)

    const swept = await sweepStuckScans(log)
    const deadAfter = (await getScan(dead.id))!

    expect(beat).toEqual({ running: true, cancelRequested: false })
    expect(swept.requeued).toContain(dead.id)
    expect(swept.requeued).not.toContain(alive.id)
    expect(Date.parse(deadAfter.active_since!)).toBeGreaterThan(Date.now() - 10_000)
    // The requeued message runs it again, to the one outcome a scan can have.
    await worker(sqsEvent(dead.id), context)
    expect(await getScan(dead.id)).toMatchObject({ status: 'succeeded' })
    expect(await heartbeatScan(dead.id)).toEqual({ running: false, cancelRequested: false })
  })

  it('beats from its own thread while the scan blocks the main thread, and hears a cancellation there', async () => {
    const { pack, refs } = smallRepo()
    const scan = await queuedScan(pack, refs)
    await startScan(scan.id, new Date(Date.now() - 45_000).toISOString())
    const watch = keepAlive(scan.id, undefined, 100)
    try {
      // Synchronous work, as indexing a large pack is: no timer of this thread fires meanwhile.
      const blockedFrom = new Date().toISOString()
      const until = Date.now() + 4_000
      while (Date.now() < until);
      const blockedTo = new Date().toISOString()
      const beaten = (await getScan(scan.id))!

      expect(beaten.heartbeat_at! > blockedFrom && beaten.heartbeat_at! <= blockedTo).toBe(true)
      expect((await sweepStuckScans(log)).requeued).not.toContain(scan.id)
      expect(watch.requested).toBe(false)
      expect(await cancelScan(scan.id)).toBe('requested')
      await vi.waitFor(() => expect(watch.requested).toBe(true), { timeout: 5_000 })
    } finally {
      watch.stop()
    }
  })

  it('lets the owner retry a running scan whose worker fell silent, and not one that is alive', async () => {
    const { pack, refs } = smallRepo()
    const [alive, dead] = [await queuedScan(pack, refs), await queuedScan(pack, refs)]
    await startScan(alive.id)
    await startScan(dead.id, new Date(Date.now() - 45_000).toISOString())
    const retry = (scan: typeof dead) => call(repositories, 'POST', scanPath(scan, '/retry'), { as: scan.token })

    const retried = await retry(dead)
    const refused = await retry(alive)

    expect(retried.status).toBe(202)
    expect(retried.json).toMatchObject({ id: dead.id })
    expect(refused.status).toBe(409)
    expect(refused.json.error.message).toMatch(/silent for 30 s/)
    // A worker may already have taken the queued message and written scan.started after it.
    const events = (await listEvents(dead.repository_id, { limit: 5 })).items
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'scan.queued',
        data: expect.objectContaining({ scan_id: dead.id, stuck: true }),
      }),
    )
  })
})
