// Legacy upload sessions: an archive PUT to a presigned URL, then analysed once. Like an upload, a
// session is claimed by its one scan in the same transaction that creates the scan.
import { documents } from '../aws/clients.js'
import { ProjectId, RepositoryId, ScanId, SessionId, WorkspaceId } from '../ids.js'
import { archiveFormats } from '../scanning/archive-formats.js'
import * as z from '../zod.js'
import { commands, deleteKeys, getRecord, type Page, type PageRequest, queryRecords, tableName, under } from './db.js'
import * as keys from './keys.js'

export const sessionRecord = z.object({
  id: SessionId,
  repository_id: RepositoryId,
  project_id: ProjectId,
  workspace_id: WorkspaceId,
  format: z.enum(archiveFormats),
  /** Stored states; `uploaded`, `done`, `failed` and `expired` are read from the object, the scan and the clock. */
  status: z.enum(['awaiting_upload', 'analyzing']),
  expires_at: z.string(),
  scan_id: z.nullable(ScanId),
  created_by: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
})
export type SessionRecord = z.infer<typeof sessionRecord>

export async function putSession(session: SessionRecord): Promise<void> {
  await documents().send(
    new (commands().PutCommand)({
      TableName: tableName(),
      Item: { ...session, ...keys.session(session.repository_id, session.id) },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  )
}

export async function getSession(id: SessionId): Promise<SessionRecord | undefined> {
  return getRecord(sessionRecord, keys.sessionById(id), { consistent: true })
}

/** The transaction item that claims a session for its scan: it must still wait and not have expired. */
export function claimForAnalysis(session: SessionId, scan: ScanId, now: string) {
  return {
    Update: {
      TableName: tableName(),
      Key: keys.sessionById(session),
      UpdateExpression: 'SET #status = :analyzing, scan_id = :scan, updated_at = :now',
      ConditionExpression: '#status = :waiting AND expires_at > :now',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':analyzing': 'analyzing',
        ':waiting': 'awaiting_upload',
        ':scan': scan,
        ':now': now,
      },
    },
  }
}

export function listSessionsOf(repository: RepositoryId, page: PageRequest): Promise<Page<SessionRecord>> {
  return queryRecords(sessionRecord, { ...under(keys.sessionsOf(repository)), page })
}

/** Removes every session of a deleted repository. */
export async function deleteSessionsOf(repository: RepositoryId): Promise<void> {
  for (let page = await listSessionsOf(repository, { limit: 100 }); ; ) {
    await deleteKeys(page.items.map((session) => keys.sessionById(session.id)))
    if (!page.lastKey) return
    page = await listSessionsOf(repository, { limit: 100, startKey: page.lastKey })
  }
}
