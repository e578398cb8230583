// Scans: created queued (with the push that carries their input), listed newest first per repository
// and per project.
import { GetCommand } from '@aws-sdk/lib-dynamodb'
import { documents } from '../aws/clients.js'
import type { ProjectId, RepositoryId, ScanId, UploadId, WorkspaceId } from '../ids.js'
import { type Page, type PageRequest, queryByPrefix, tableName } from './db.js'
import { keys } from './keys.js'

export type ScanStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled'
export const engineNames = ['secrets', 'code', 'dependencies'] as const

export interface ScanRecord {
  id: ScanId
  repository_id: RepositoryId
  project_id: ProjectId
  workspace_id: WorkspaceId
  upload_id: UploadId | null
  status: ScanStatus
  /** Where the input lies in the uploads bucket, and what kind it is. */
  input: {
    kind: 'pack' | 'bundle' | 'archive'
    key: string
    bytes: number
    objects?: number
    refs?: { ref: string; oid: string }[]
  }
  engines: string[]
  error: { code: string; message: string; retryable: boolean; details: Record<string, unknown> } | null
  stats: { files: number; bytes: number; commits: number; duration_ms: number } | null
  created_at: string
  started_at: string | null
  finished_at: string | null
}

export function newScanItem(scan: ScanRecord) {
  return { ...keys.scan(scan.project_id, scan.repository_id, scan.id), ...scan }
}

export async function getScan(id: ScanId): Promise<ScanRecord | undefined> {
  const { Item } = await documents().send(
    new GetCommand({ TableName: tableName(), Key: keys.scanById(id), ConsistentRead: true }),
  )
  return Item as ScanRecord | undefined
}

export function listScansOfRepository(
  repository: RepositoryId,
  page: PageRequest,
  status?: ScanStatus,
): Promise<Page<ScanRecord>> {
  const { gsi1pk, gsi1skPrefix } = keys.scansOfRepository(repository)
  return queryByPrefix<ScanRecord>({
    index: 'gsi1',
    partition: gsi1pk,
    prefix: gsi1skPrefix,
    page,
    newestFirst: true,
    status,
  })
}

export function listScansOfProject(
  project: ProjectId,
  page: PageRequest,
  status?: ScanStatus,
): Promise<Page<ScanRecord>> {
  const { gsi2pk, gsi2skPrefix } = keys.scansOfProject(project)
  return queryByPrefix<ScanRecord>({
    index: 'gsi2',
    partition: gsi2pk,
    prefix: gsi2skPrefix,
    page,
    newestFirst: true,
    status,
  })
}
