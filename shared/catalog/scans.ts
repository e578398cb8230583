// Scans as the routes see them.

import { type Access, eventActor } from '../auth/access.js'
import { estimate, showEstimate } from '../billing/prices.js'
import { publicUrl } from '../config.js'
import { appendEvent } from '../data/append-event.js'
import type { PageRequest } from '../data/db.js'
import { queuedAhead, queuePositionOf } from '../data/quotas.js'
import {
  cancelScan,
  getScan,
  isStuck,
  listScansOfProject,
  listScansOfRepository,
  runningGraceMs,
  type ScanRecord,
  type ScanStatus,
  touchActiveScan,
} from '../data/scans.js'
import { listUploadsOf } from '../data/uploads.js'
import { ApiError, conflict, notFound } from '../http/errors.js'
import type { ProjectId, RepositoryId, ScanId } from '../ids.js'
import { enqueueScan } from '../queue/scans.js'
import { findProject } from './projects.js'
import { queueScan } from './queue-scan.js'
import { findRepository } from './repositories.js'

/** A scan record with its place in the queue, while queued. */
type BilledScan = ScanRecord & { queue_position?: number }

export const toScan = (record: BilledScan) => ({
  id: record.id,
  repository_id: record.repository_id,
  upload_id: record.upload_id,
  status: record.status,
  error: record.error,
  created_at: record.created_at,
  started_at: record.started_at,
  finished_at: record.finished_at,
  stats: record.stats,
  engines: record.engines,
  gate: record.gate ?? null,
  // Scans queued before billing (or by the legacy flow) are estimated from their input as it is now priced.
  cost_estimate: showEstimate(record.cost_estimate ?? estimate(record.input.bytes, 'upload')),
  cost: record.cost ?? null,
  queue_position: record.status === 'queued' ? (record.queue_position ?? null) : null,
  links: linksOf(record),
})

/** Where to read a scan and what it found: in every scan answer, so a CI job needs no URL of its own. */
const linksOf = ({ id, repository_id }: Pick<ScanRecord, 'id' | 'repository_id'>) => ({
  self: publicUrl(`/v1/scans/${id}`),
  findings: publicUrl(`/v1/repositories/${repository_id}/findings?scan=${id}`),
  sarif: publicUrl(`/v1/repositories/${repository_id}/scans/${id}/sarif`),
})

export async function findScan(access: Access, repositoryId: RepositoryId, id: ScanId): Promise<ScanRecord> {
  const repository = await findRepository(access, repositoryId)
  const scan: BilledScan | undefined = await getScan(id)
  if (!scan || scan.repository_id !== repository.id) throw notFound('Scan', id)
  return withQueuePosition(scan)
}

/** A scan by its id alone: authorized through its repository, so another workspace's scan is not found. */
export async function findScanById(access: Access, id: ScanId): Promise<ScanRecord> {
  const scan: BilledScan | undefined = await getScan(id)
  if (!scan) throw notFound('Scan', id)
  try {
    await findRepository(access, scan.repository_id)
  } catch (error) {
    // The repository's 404 would name it: the caller asked for a scan.
    if (error instanceof ApiError && error.code === 'not_found') throw notFound('Scan', id)
    throw error
  }
  return withQueuePosition(scan)
}

async function withQueuePosition(scan: BilledScan): Promise<BilledScan> {
  // A queued scan's place in the queue: the live scans queued before it, across the service.
  if (scan.status === 'queued') scan.queue_position = 1 + (await queuedAhead(scan))
  return scan
}

export async function listOfRepository(access: Access, id: RepositoryId, page: PageRequest, status?: ScanStatus) {
  await findRepository(access, id)
  const scans = await listScansOfRepository(id, page, status)
  return { items: scans.items.map(toScan), lastKey: scans.lastKey }
}

export async function listOfProject(access: Access, id: ProjectId, page: PageRequest, status?: ScanStatus) {
  await findProject(access, id)
  const scans = await listScansOfProject(id, page, status)
  return { items: scans.items.map(toScan), lastKey: scans.lastKey }
}

/** A new queued scan of an earlier scan's input: rescans and retries. */
async function queueAgain(access: Access, from: ScanRecord, engines?: string[], maxCost?: number) {
  const scan = await queueScan({
    of: {
      workspace_id: from.workspace_id,
      project_id: from.project_id,
      repository_id: from.repository_id,
      upload_id: from.upload_id,
    },
    input: from.input,
    engines: engines ?? from.engines,
    actor: eventActor(access.actor),
    maxCost,
    queuedBecause: { from_scan_id: from.id },
  })
  // Its place in the queue, as a GET of the scan would answer it (null would say it is not queued).
  return toScan({ ...scan, queue_position: await queuePositionOf(scan) })
}

/** Scans the repository's latest upload again; takes the engines, or the whole request (with max_cost). */
export async function rescan(
  access: Access,
  repositoryId: RepositoryId,
  request?: string[] | { engines?: string[]; max_cost?: number },
) {
  const { engines, max_cost } = Array.isArray(request) || !request ? { engines: request, max_cost: undefined } : request
  await findRepository(access, repositoryId)
  let startKey: PageRequest['startKey']
  do {
    const page = await listUploadsOf(repositoryId, { limit: 20, startKey })
    const pushed = page.items.find((upload) => upload.scan_id)
    if (pushed) {
      const source = await getScan(pushed.scan_id!)
      if (source) return queueAgain(access, source, engines, max_cost)
    }
    startKey = page.lastKey
  } while (startKey)
  throw conflict(`Repository ${repositoryId} has no pushed upload to scan again; push one first`)
}

export async function retry(access: Access, repositoryId: RepositoryId, id: ScanId) {
  const scan = await findScan(access, repositoryId, id)
  // A running scan whose worker went silent is the same scan queued again, as the sweep would do.
  if (scan.status === 'running' && isStuck(scan)) {
    if (await touchActiveScan(scan)) {
      await enqueueScan(scan.id)
      await appendEvent(scan.repository_id, 'scan.queued', eventActor(access.actor), { scan_id: scan.id, stuck: true })
    }
    return toScan((await getScan(scan.id)) ?? scan)
  }
  if (scan.status !== 'failed' && scan.status !== 'cancelled') {
    throw conflict(
      `Scan ${id} is ${scan.status}; only a failed or cancelled scan is retried (or a running one whose worker has been silent for ${runningGraceMs / 1000} s)`,
    )
  }
  return queueAgain(access, scan)
}

export async function cancel(access: Access, repositoryId: RepositoryId, id: ScanId) {
  const scan = await findScan(access, repositoryId, id)
  const outcome = await cancelScan(scan.id)
  if (outcome === 'over')
    throw conflict(`Scan ${id} is already ${scan.status === 'running' ? 'finished' : scan.status}`)
  if (outcome === 'finishing')
    throw conflict(`Scan ${id} is recording its findings and will succeed; it can no longer be cancelled`)
  if (outcome === 'cancelled') {
    await appendEvent(scan.repository_id, 'scan.cancelled', eventActor(access.actor), { scan_id: scan.id })
  }
  return toScan((await getScan(scan.id))!)
}
