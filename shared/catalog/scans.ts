// Scans as the routes see them.
import type { PageRequest } from '../data/db.js'
import { getScan, listScansOfProject, listScansOfRepository, type ScanRecord, type ScanStatus } from '../data/scans.js'
import { notFound } from '../http/errors.js'
import type { ProjectId, RepositoryId, ScanId } from '../ids.js'
import type { Access } from './access.js'
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
  gate: null,
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
