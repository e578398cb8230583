// Requests to dismiss critical findings: made by a member, decided once by an admin of the workspace,
// expired by the clock when nobody decides.
import { documents } from '../aws/clients.js'
import { DismissalRequestId, FindingId, RepositoryId, UserId, WorkspaceId } from '../ids.js'
import * as z from '../zod.js'
import { enumWithout } from '../zod.js'
import { commands, getRecord, type Page, type PageRequest, queryRecords, tableName, under, updateIf } from './db.js'
import { userDismissReasons } from './findings.js'
import * as keys from './keys.js'

/** A request's states as the API shows them; `expired` is read from the clock, never stored. */
export const dismissalStatuses = ['pending', 'approved', 'denied', 'expired'] as const
export type DismissalStatus = (typeof dismissalStatuses)[number]

/** A request to dismiss a finding, awaiting an admin. */
export const dismissalRecord = z.object({
  id: DismissalRequestId,
  workspace_id: WorkspaceId,
  repository_id: RepositoryId,
  finding_id: FindingId,
  status: enumWithout(dismissalStatuses, ['expired']),
  reason: z.enum(userDismissReasons),
  comment: z.string(),
  requested_by: UserId,
  decided_by: z.nullable(UserId),
  decision_comment: z.nullable(z.string()),
  created_at: z.string(),
  expires_at: z.string(),
})
export type DismissalRecord = z.infer<typeof dismissalRecord>

/** Expiry is a fact of time: a pending request past expires_at reads as expired. */
export const dismissalStatusOf = (request: DismissalRecord, now = Date.now()): DismissalStatus =>
  request.status === 'pending' && Date.parse(request.expires_at) <= now ? 'expired' : request.status

export async function putDismissal(request: DismissalRecord): Promise<void> {
  await documents().send(
    new (commands().PutCommand)({
      TableName: tableName(),
      Item: { ...request, ...keys.dismissalRequest(request.workspace_id, request.id) },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  )
}

export async function getDismissal(id: DismissalRequestId): Promise<DismissalRecord | undefined> {
  return getRecord(dismissalRecord, keys.dismissalRequestById(id), { consistent: true })
}

/** Decides a pending, unexpired request; false when someone decided first or it expired. */
export async function decideDismissal(
  id: DismissalRequestId,
  decision: { status: 'approved' | 'denied'; by: UserId; comment: string },
): Promise<boolean> {
  const now = new Date().toISOString()
  return updateIf({
    Key: keys.dismissalRequestById(id),
    UpdateExpression: 'SET #status = :decided, decided_by = :by, decision_comment = :comment, decided_at = :now',
    ConditionExpression: '#status = :pending AND expires_at > :now',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':decided': decision.status,
      ':pending': 'pending',
      ':by': decision.by,
      ':comment': decision.comment,
      ':now': now,
    },
  })
}

/** A workspace's requests, newest first; `pending` is stored, so it can be filtered by DynamoDB. */
export function listDismissals(
  workspace: WorkspaceId,
  page: PageRequest,
  status?: DismissalRecord['status'],
): Promise<Page<DismissalRecord>> {
  return queryRecords(dismissalRecord, {
    ...under(keys.dismissalRequestsOf(workspace)),
    page,
    newestFirst: true,
    status,
  })
}
