// Suppressions: data that dismisses findings as scans see them, with a reason, an owner and an optional
// expiry. A repository's suppressions share its partition, so a scan reads them all in one query.
import { documents } from '../aws/clients.js'
import { RepositoryId, ScanId, SuppressionId, WorkspaceId } from '../ids.js'
import * as z from '../zod.js'
import { commands, deleteKeys, getRecord, type Page, type PageRequest, queryRecords, tableName, under } from './db.js'
import * as keys from './keys.js'

export const suppressionRecord = z.object({
  id: SuppressionId,
  repository_id: RepositoryId,
  workspace_id: WorkspaceId,
  /** Bound to one finding's fingerprint, or to a rule on paths matching a glob. */
  fingerprint: z.nullable(z.string()),
  rule: z.nullable(z.string()),
  path: z.nullable(z.string()),
  reason: z.string(),
  /** The user (or API key) that made it. */
  owner: z.string(),
  expires_at: z.nullable(z.string()),
  last_matched_at: z.nullable(z.string()),
  last_matched_scan_id: z.nullable(ScanId),
  created_at: z.string(),
})
export type SuppressionRecord = z.infer<typeof suppressionRecord>

export const isActive = (suppression: SuppressionRecord, now = Date.now()) =>
  !suppression.expires_at || Date.parse(suppression.expires_at) > now

export async function putSuppression(suppression: SuppressionRecord): Promise<void> {
  await documents().send(
    new (commands().PutCommand)({
      TableName: tableName(),
      Item: { ...suppression, ...keys.suppression(suppression.repository_id, suppression.id) },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  )
}

export async function getSuppression(
  repository: RepositoryId,
  id: SuppressionId,
): Promise<SuppressionRecord | undefined> {
  return getRecord(suppressionRecord, keys.suppression(repository, id), { consistent: true })
}

export async function deleteSuppression(repository: RepositoryId, id: SuppressionId): Promise<void> {
  await documents().send(
    new (commands().DeleteCommand)({ TableName: tableName(), Key: keys.suppression(repository, id) }),
  )
}

export function listSuppressions(repository: RepositoryId, page: PageRequest): Promise<Page<SuppressionRecord>> {
  return queryRecords(suppressionRecord, { ...under(keys.suppressionsOf(repository)), page })
}

/** Every suppression of a repository (a scan reads them once). */
export async function allSuppressions(repository: RepositoryId): Promise<SuppressionRecord[]> {
  const all: SuppressionRecord[] = []
  let startKey: PageRequest['startKey']
  do {
    const page = await listSuppressions(repository, { limit: 500, startKey })
    all.push(...page.items)
    startKey = page.lastKey
  } while (startKey)
  return all
}

/** Notes that a scan matched the suppression (for `?unused=true`); a later scan's mark wins. */
export async function markMatched(suppression: SuppressionRecord, scan: ScanId): Promise<void> {
  await documents()
    .send(
      new (commands().UpdateCommand)({
        TableName: tableName(),
        Key: keys.suppression(suppression.repository_id, suppression.id),
        UpdateExpression: 'SET last_matched_at = :now, last_matched_scan_id = :scan',
        ConditionExpression:
          'attribute_exists(pk) AND (attribute_not_exists(last_matched_scan_id) OR last_matched_scan_id = :null OR last_matched_scan_id <= :scan)',
        ExpressionAttributeValues: { ':now': new Date().toISOString(), ':scan': scan, ':null': null },
      }),
    )
    .catch((error: Error) => {
      if (error.name !== 'ConditionalCheckFailedException') throw error
    })
}

export async function deleteSuppressionsOf(repository: RepositoryId): Promise<void> {
  await deleteKeys(
    (await allSuppressions(repository)).map((suppression) => keys.suppression(repository, suppression.id)),
  )
}
