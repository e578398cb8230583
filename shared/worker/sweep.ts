// Scans that wait too long are looked after: a queued one whose message was lost (a restart, a failed
// send) is queued again; a running one whose worker fell silent (no heartbeat for 30 s) is queued again,
// or failed as retryable once it has had its tries. Running it twice is safe: every effect happens once.
import { appendEvent, systemActor } from '../data/append-event.js'
import { recordLastScan } from '../data/repositories.js'
import { finishScan, isStuck, listStaleScans, runningGraceMs, type ScanRecord, touchActiveScan } from '../data/scans.js'
import type { WorkspaceId } from '../ids.js'
import type { RequestLog } from '../log.js'
import { scanQueue } from '../queue/queues.js'
import { enqueueScan } from '../queue/scans.js'
import { scanFinished } from '../webhooks/emit.js'

export interface StuckScans {
  requeued: ScanRecord['id'][]
  failed: ScanRecord['id'][]
}

/**
 * Requeues or fails every stale scan (of one workspace, when given). A dry run lists what it would do
 * and changes nothing; the real run then does the same to the same scans, unless one moved meanwhile.
 */
export async function sweepStuckScans(
  log: RequestLog,
  now = Date.now(),
  options: { dryRun?: boolean; workspace?: WorkspaceId } = {},
): Promise<StuckScans> {
  const done: StuckScans = { requeued: [], failed: [] }
  // The index holds each active scan under its last sign of life: queued, touched, or its last heartbeat.
  for (const scan of await listStaleScans(new Date(now - runningGraceMs).toISOString())) {
    if (options.workspace && scan.workspace_id !== options.workspace) continue
    if (!isStuck(scan, now)) continue
    const attempts = scan.attempts ?? 0
    if (attempts >= scanQueue.maxReceiveCount) {
      if (options.dryRun) {
        done.failed.push(scan.id)
        continue
      }
      const error = {
        code: 'worker_failed',
        message: 'The scan did not finish in its tries; retry it',
        retryable: true,
        details: {},
      }
      if (await finishScan(scan, { status: 'failed', error })) {
        await recordLastScan(scan.repository_id, {
          id: scan.id,
          status: 'failed',
          finished_at: new Date(now).toISOString(),
        })
        await appendEvent(scan.repository_id, 'scan.failed', systemActor, { scan_id: scan.id, code: error.code })
        await scanFinished({ ...scan, status: 'failed', error, finished_at: new Date(now).toISOString() })
        done.failed.push(scan.id)
      }
    } else if (options.dryRun) done.requeued.push(scan.id)
    else if (await touchActiveScan(scan, new Date(now).toISOString())) {
      await enqueueScan(scan.id)
      done.requeued.push(scan.id)
    }
  }
  const counts = { requeued: done.requeued.length, failed: done.failed.length }
  if (!options.dryRun && counts.requeued + counts.failed > 0) log.warn('stuck scans swept', counts)
  return done
}

/** The sweep as counts. */
export async function requeueStuckScans(
  log: RequestLog,
  now = Date.now(),
): Promise<{ requeued: number; failed: number }> {
  const done = await sweepStuckScans(log, now)
  return { requeued: done.requeued.length, failed: done.failed.length }
}
