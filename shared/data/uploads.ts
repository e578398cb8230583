// Temporary git remotes. An upload accepts one push: the push claims it with a conditional write in the
// same transaction that creates its scan, so two racing pushes cannot both be acknowledged.
import { documents } from '../aws/clients.js'
import { conflicting, expired } from '../errors.js'
import { ProjectId, RepositoryId, ScanId, UploadId, WorkspaceId } from '../ids.js'
import * as z from '../zod.js'
import { enumWithout } from '../zod.js'
import {
  commands,
  deleteKeys,
  getRecord,
  type Page,
  type PageRequest,
  queryRecords,
  tableName,
  under,
  updateIf,
} from './db.js'
import * as keys from './keys.js'

/** An upload's states as the API shows them; `expired` is read from the clock, never stored. */
export const uploadStatuses = ['awaiting_push', 'received', 'expired', 'released'] as const
export type UploadStatus = (typeof uploadStatuses)[number]

/** An upload as stored. */
export const uploadRecord = z.object({
  id: UploadId,
  repository_id: RepositoryId,
  project_id: ProjectId,
  workspace_id: WorkspaceId,
  status: enumWithout(uploadStatuses, ['expired']),
  /** SHA-256 of the one-time token in remote_url; the token itself is never stored. */
  token_sha256: z.string(),
  expires_at: z.string(),
  scan_id: z.nullable(ScanId),
  created_by: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
})
export type UploadRecord = z.infer<typeof uploadRecord>

/** Expiry is a fact of time, not a write: an upload past expires_at reads as expired. */
export const statusOf = (upload: UploadRecord, now = Date.now()): UploadStatus =>
  upload.status === 'awaiting_push' && Date.parse(upload.expires_at) <= now ? 'expired' : upload.status

export async function putUpload(upload: UploadRecord): Promise<void> {
  await documents().send(
    new (commands().PutCommand)({
      TableName: tableName(),
      Item: { ...keys.upload(upload.repository_id, upload.id), ...upload },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  )
}

export async function getUpload(id: UploadId): Promise<UploadRecord | undefined> {
  return getRecord(uploadRecord, keys.uploadById(id), { consistent: true })
}

/** Moves expires_at, only while the upload still waits for its push and has not expired. */
export async function extendUpload(upload: UploadRecord, expiresAt: string): Promise<UploadRecord> {
  const now = new Date().toISOString()
  const extended = await updateIf({
    Key: keys.uploadById(upload.id),
    UpdateExpression: 'SET expires_at = :expires, updated_at = :now',
    ConditionExpression: '#status = :waiting AND expires_at > :now',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':expires': expiresAt, ':now': now, ':waiting': 'awaiting_push' },
  })
  if (!extended && statusOf(upload) === 'expired')
    throw expired(`Upload ${upload.id} expired at ${upload.expires_at}; create a new one`)
  if (!extended) throw conflicting(`Upload ${upload.id} is ${upload.status} and can no longer be extended`)
  return { ...upload, expires_at: expiresAt, updated_at: now }
}

export async function releaseUpload(upload: UploadRecord): Promise<void> {
  // Releasing what already took its push (or was released) fails the condition and changes nothing.
  await updateIf({
    Key: keys.uploadById(upload.id),
    UpdateExpression: 'SET #status = :released, updated_at = :now',
    ConditionExpression: '#status = :waiting',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':released': 'released',
      ':waiting': 'awaiting_push',
      ':now': new Date().toISOString(),
    },
  })
}

/** The transaction item that claims an upload for a push: it must still wait and not have expired. */
export function claimForPush(upload: UploadId, scan: ScanId, now: string) {
  return {
    Update: {
      TableName: tableName(),
      Key: keys.uploadById(upload),
      UpdateExpression: 'SET #status = :received, scan_id = :scan, updated_at = :now',
      ConditionExpression: '#status = :waiting AND expires_at > :now',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':received': 'received',
        ':waiting': 'awaiting_push',
        ':scan': scan,
        ':now': now,
      },
    },
  }
}

/** A repository's uploads, newest first. */
export function listUploadsOf(repository: RepositoryId, page: PageRequest): Promise<Page<UploadRecord>> {
  return queryRecords(uploadRecord, { ...under(keys.uploadsOf(repository)), page, newestFirst: true })
}

/** Removes every upload of a deleted repository. */
export async function deleteUploadsOf(repository: RepositoryId): Promise<void> {
  for (let page = await listUploadsOf(repository, { limit: 100 }); ; ) {
    await deleteKeys(page.items.map((upload) => keys.uploadById(upload.id)))
    if (!page.lastKey) return
    page = await listUploadsOf(repository, { limit: 100, startKey: page.lastKey })
  }
}
