// Scans as the routes see them.
import type { PageRequest } from '../data/db.js'
import { appendEvent } from '../data/events.js'
import {
  cancelScan,
  getScan,
  listScansOfProject,
  listScansOfRepository,
  putQueuedScan,
  type ScanRecord,
  type ScanStatus,
} from '../data/scans.js'
import { listUploadsOf } from '../data/uploads.js'
import { conflict, notFound } from '../http/errors.js'
import { newId, type ProjectId, type RepositoryId, type ScanId } from '../ids.js'
import { enqueueScan } from '../queue/scans.js'
import { type Access, eventActor } from './access.js'
import { findProject } from './projects.js'
import { findRepository } from './repositories.js'

export const toScan = (record: ScanRecord) => ({
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
  cost_estimate: null,
  cost: null,
  queue_position: null,
})

export async function findScan(access: Access, repositoryId: RepositoryId, id: ScanId): Promise<ScanRecord> {
  const repository = await findRepository(access, repositoryId)
  const scan = await getScan(id)
  if (!scan || scan.repository_id !== repository.id) throw notFound('Scan', id)
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
async function queueAgain(access: Access, from: ScanRecord, engines?: string[]) {
  const scan: ScanRecord = {
    id: newId('scan'),
    repository_id: from.repository_id,
    project_id: from.project_id,
    workspace_id: from.workspace_id,
    upload_id: from.upload_id,
    input: from.input,
    status: 'queued',
    engines: engines ?? from.engines,
    error: null,
    stats: null,
    created_at: new Date().toISOString(),
    started_at: null,
    finished_at: null,
  }
  await putQueuedScan(scan)
  await enqueueScan({ scan_id: scan.id })
  await appendEvent(scan.repository_id, 'scan.queued', eventActor(access.actor), {
    scan_id: scan.id,
    from_scan_id: from.id,
  })
  return toScan(scan)
}

/** Scans the repository's latest upload again. */
export async function rescan(access: Access, repositoryId: RepositoryId, engines?: string[]) {
  await findRepository(access, repositoryId)
  let startKey: PageRequest['startKey']
  do {
    const page = await listUploadsOf(repositoryId, { limit: 20, startKey })
    const pushed = page.items.find((upload) => upload.scan_id)
    if (pushed) {
      const source = await getScan(pushed.scan_id!)
      if (source) return queueAgain(access, source, engines)
    }
    startKey = page.lastKey
  } while (startKey)
  throw conflict(`Repository ${repositoryId} has no pushed upload to scan again; push one first`)
}

export async function retry(access: Access, repositoryId: RepositoryId, id: ScanId) {
  const scan = await findScan(access, repositoryId, id)
  if (scan.status !== 'failed' && scan.status !== 'cancelled') {
    throw conflict(`Scan ${id} is ${scan.status}; only a failed or cancelled scan is retried`)
  }
  return queueAgain(access, scan)
}

export async function cancel(access: Access, repositoryId: RepositoryId, id: ScanId) {
  const scan = await findScan(access, repositoryId, id)
  const outcome = await cancelScan(scan.id)
  if (outcome === 'over')
    throw conflict(`Scan ${id} is already ${scan.status === 'running' ? 'finished' : scan.status}`)
  if (outcome === 'cancelled') {
    await appendEvent(scan.repository_id, 'scan.cancelled', eventActor(access.actor), { scan_id: scan.id })
  }
  return toScan((await getScan(scan.id))!)
}
