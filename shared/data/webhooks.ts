// Webhooks (#19): a workspace's endpoints, the events told to them, and each event's delivery to each
// endpoint with its attempts. An endpoint's signing secret is stored sealed (crypto/sealed.ts), never in
// the clear; an event's id is derived from its occurrence and written once, so an occurrence met twice (a
// redelivered scan message) is one event; a delivery is one item per event and endpoint.
import { documents } from '../aws/clients.js'
import { UserId, WebhookDeliveryId, WebhookEventId, WebhookId, WorkspaceId } from '../ids.js'
import { severities } from '../scanning/engine.js'
import * as z from '../zod.js'
import {
  addToCounter,
  commands,
  deleteWhen,
  epochSeconds,
  getRecord,
  isConditionFailure,
  type Page,
  type PageRequest,
  queryRecords,
  tableName,
  transact,
  under,
  updateIf,
} from './db.js'
import * as keys from './keys.js'

/** What an endpoint can subscribe to. */
export const webhookEventTypes = [
  'scan.succeeded',
  'scan.failed',
  'gate.failed',
  'finding.created',
  'finding.reopened',
  'api_key.revoked',
  'dismissal.requested',
] as const
export type WebhookEventType = (typeof webhookEventTypes)[number]
/** What a delivery can carry: the subscribable events, and the test ping an admin sends. */
export const deliveredEventTypes = [...webhookEventTypes, 'ping'] as const
export type DeliveredEventType = (typeof deliveredEventTypes)[number]

/** The most endpoints a workspace may register (docs/integrations.md "Limits"). */
export const webhooksPerWorkspace = 10
/** How long events and their delivery logs are kept (a redelivery needs its event). */
export const webhookRetentionDays = 30

export const webhookRecord = z.object({
  id: WebhookId,
  workspace_id: WorkspaceId,
  url: z.string(),
  description: z.string(),
  events: z.array(z.enum(webhookEventTypes)),
  /** finding.created only for findings at least this severe. */
  min_severity: z.enum(severities),
  /** A paused endpoint is sent nothing new, and its pending retries stop. */
  active: z.boolean(),
  /** The signing secret, sealed for this webhook. */
  secret_sealed: z.string(),
  /** The secret before the last rotation, still signing deliveries beside the new one until its expiry. */
  previous_secret_sealed: z.nullable(z.string()),
  previous_secret_expires_at: z.nullable(z.string()),
  created_by: z.nullable(UserId),
  created_at: z.string(),
  updated_at: z.string(),
})
export type WebhookRecord = z.infer<typeof webhookRecord>

export const webhookEventRecord = z.object({
  id: WebhookEventId,
  workspace_id: WorkspaceId,
  type: z.enum(deliveredEventTypes),
  created_at: z.string(),
  /** The delivery body, fixed when the event is made: every attempt and redelivery sends these bytes. */
  body: z.string(),
  /** True once every subscribed endpoint has its delivery queued; until then a repeat emit finishes the job. */
  dispatched: z.boolean(),
})
export type WebhookEventRecord = z.infer<typeof webhookEventRecord>

export const deliveryStatuses = ['pending', 'succeeded', 'failed'] as const
/**
 * Why a delivery can end without using its attempts: its endpoint was paused or deleted, its event expired,
 * or its secret cannot be opened (the deployment's signing secret was rotated since it was sealed).
 */
export const abandonReasons = ['webhook_paused', 'webhook_deleted', 'event_expired', 'secret_unreadable'] as const
export type DeliveryStatus = (typeof deliveryStatuses)[number]

export const deliveryAttempt = z.object({
  attempt: z.number().check(z.int()),
  at: z.string(),
  /** The receiver's HTTP status; null when no answer came (a timeout, a refused address, a network error). */
  status_code: z.nullable(z.number().check(z.int())),
  duration_ms: z.number().check(z.int()),
  /** Why the attempt failed, in a word Vega chose (never the receiver's body); null when it succeeded. */
  error: z.nullable(z.string()),
})
export type DeliveryAttempt = z.infer<typeof deliveryAttempt>

export const webhookDeliveryRecord = z.object({
  id: WebhookDeliveryId,
  webhook_id: WebhookId,
  workspace_id: WorkspaceId,
  event_id: WebhookEventId,
  event_type: z.enum(deliveredEventTypes),
  status: z.enum(deliveryStatuses),
  attempts: z.array(deliveryAttempt),
  next_attempt_at: z.nullable(z.string()),
  /** Why a delivery ended without its attempts: its endpoint was paused or deleted, or its event expired. */
  abandoned_because: z.optional(z.enum(abandonReasons)),
  /** The delivery this one sends again (POST …/redeliver), if it is a redelivery. */
  redelivery_of: z.nullable(WebhookDeliveryId),
  created_at: z.string(),
  updated_at: z.string(),
  /** The attempt a worker is making now, and until when it holds it (a dead worker's claim lapses). */
  claimed_attempt: z.optional(z.number()),
  claimed_until: z.optional(z.number()),
})
export type WebhookDeliveryRecord = z.infer<typeof webhookDeliveryRecord>

const retentionEpoch = (now = Date.now()) => epochSeconds(now + webhookRetentionDays * 24 * 3600 * 1000)

/** Stores a new endpoint and counts it; `limit` when the workspace already has its most. */
export async function createWebhook(record: WebhookRecord): Promise<'created' | 'limit'> {
  try {
    await transact(
      [
        {
          Put: {
            TableName: tableName(),
            Item: { ...keys.webhook(record.workspace_id, record.id), ...record },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        addToCounter(
          keys.webhookCount(record.workspace_id),
          'webhooks',
          1,
          'attribute_not_exists(webhooks) OR webhooks < :most',
          {
            ':most': webhooksPerWorkspace,
          },
        ),
      ],
      () => new LimitReached(),
    )
    return 'created'
  } catch (error) {
    if (error instanceof LimitReached) return 'limit'
    throw error
  }
}
class LimitReached extends Error {}

export const getWebhook = (id: WebhookId) => getRecord(webhookRecord, keys.webhookById(id), { consistent: true })

export const listWebhooks = (workspace: WorkspaceId, page: PageRequest): Promise<Page<WebhookRecord>> =>
  queryRecords(webhookRecord, { ...under(keys.webhooksOf(workspace)), page })

/** Every endpoint of a workspace (at most `webhooksPerWorkspace`): what an emitted event is matched against. */
export async function allWebhooks(workspace: WorkspaceId): Promise<WebhookRecord[]> {
  const found: WebhookRecord[] = []
  let startKey: PageRequest['startKey']
  do {
    const page = await listWebhooks(workspace, { limit: 100, startKey })
    found.push(...page.items)
    startKey = page.lastKey
  } while (startKey)
  return found
}

type Changes = Partial<
  Pick<
    WebhookRecord,
    'url' | 'description' | 'events' | 'min_severity' | 'active' | 'secret_sealed' | 'previous_secret_sealed'
  > & { previous_secret_expires_at: string | null }
>

/** Changes fields of an endpoint that still exists; false when it was deleted meanwhile. */
export async function updateWebhook(id: WebhookId, changes: Changes, now = new Date().toISOString()) {
  const fields = Object.entries({ ...changes, updated_at: now }).filter(([, value]) => value !== undefined)
  return updateIf({
    Key: keys.webhookById(id),
    UpdateExpression: `SET ${fields.map((_, i) => `#f${i} = :f${i}`).join(', ')}`,
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeNames: Object.fromEntries(fields.map(([field], i) => [`#f${i}`, field])),
    ExpressionAttributeValues: Object.fromEntries(fields.map(([, value], i) => [`:f${i}`, value])),
  })
}

/** Deletes an endpoint and gives its place back; its deliveries expire with their retention. */
export async function deleteWebhook(webhook: WebhookRecord): Promise<boolean> {
  try {
    await transact(
      [
        deleteWhen(keys.webhookById(webhook.id), 'attribute_exists(pk)'),
        addToCounter(keys.webhookCount(webhook.workspace_id), 'webhooks', -1, 'webhooks > :none', { ':none': 0 }),
      ],
      () => new LimitReached(),
    )
    return true
  } catch (error) {
    if (error instanceof LimitReached) return false
    throw error
  }
}

/** Writes an event once: true when this call wrote it, false when it exists already. */
export async function putWebhookEvent(event: WebhookEventRecord): Promise<boolean> {
  try {
    await documents().send(
      new (commands().PutCommand)({
        TableName: tableName(),
        Item: {
          ...keys.webhookEvent(event.id),
          ...event,
          expires_at_epoch: retentionEpoch(Date.parse(event.created_at)),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    )
    return true
  } catch (error) {
    if (isConditionFailure(error)) return false
    throw error
  }
}

export const getWebhookEvent = (id: WebhookEventId) =>
  getRecord(webhookEventRecord, keys.webhookEvent(id), { consistent: true })

export const markDispatched = (id: WebhookEventId) =>
  updateIf({
    Key: keys.webhookEvent(id),
    UpdateExpression: 'SET dispatched = :yes',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':yes': true },
  })

/** Writes a delivery once: true when this call wrote it, false when it exists already. */
export async function putDelivery(delivery: WebhookDeliveryRecord): Promise<boolean> {
  try {
    await documents().send(
      new (commands().PutCommand)({
        TableName: tableName(),
        Item: {
          ...keys.webhookDelivery(delivery.webhook_id, delivery.id, delivery.created_at),
          ...delivery,
          expires_at_epoch: retentionEpoch(Date.parse(delivery.created_at)),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    )
    return true
  } catch (error) {
    if (isConditionFailure(error)) return false
    throw error
  }
}

export const getDelivery = (id: WebhookDeliveryId) =>
  getRecord(webhookDeliveryRecord, keys.webhookDeliveryById(id), { consistent: true })

/** A webhook's deliveries, newest first; `status` is stored, so DynamoDB filters on it. */
export const listDeliveries = (
  webhook: WebhookId,
  page: PageRequest,
  status?: DeliveryStatus,
): Promise<Page<WebhookDeliveryRecord>> =>
  queryRecords(webhookDeliveryRecord, { ...under(keys.webhookDeliveriesOf(webhook)), page, newestFirst: true, status })

/**
 * Takes attempt `attempt` of a pending delivery for one worker until `until` (epoch ms): false when the
 * attempt was made already, the delivery is over, or another live worker holds it.
 */
export function claimAttempt(id: WebhookDeliveryId, attempt: number, until: number, now = Date.now()) {
  return updateIf({
    Key: keys.webhookDeliveryById(id),
    UpdateExpression: 'SET claimed_attempt = :attempt, claimed_until = :until',
    ConditionExpression:
      '#status = :pending AND size(attempts) = :made AND (attribute_not_exists(claimed_attempt) OR claimed_attempt <> :attempt OR claimed_until < :now)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':pending': 'pending',
      ':attempt': attempt,
      ':made': attempt - 1,
      ':until': until,
      ':now': now,
    },
  })
}

/** Records a claimed attempt and what follows it: done, failed, or pending until `next_attempt_at`. */
export function recordAttempt(
  id: WebhookDeliveryId,
  made: DeliveryAttempt,
  outcome: { status: DeliveryStatus; next_attempt_at: string | null },
) {
  return updateIf({
    Key: keys.webhookDeliveryById(id),
    UpdateExpression:
      'SET attempts = list_append(attempts, :made), #status = :status, next_attempt_at = :next, updated_at = :now REMOVE claimed_attempt, claimed_until',
    ConditionExpression: '#status = :pending AND size(attempts) = :before',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':made': [made],
      ':status': outcome.status,
      ':next': outcome.next_attempt_at,
      ':now': new Date().toISOString(),
      ':pending': 'pending',
      ':before': made.attempt - 1,
    },
  })
}

/** Ends a pending delivery without an attempt (its endpoint was deleted or paused, its event expired). */
export function abandonDelivery(
  id: WebhookDeliveryId,
  because: NonNullable<WebhookDeliveryRecord['abandoned_because']>,
) {
  return updateIf({
    Key: keys.webhookDeliveryById(id),
    UpdateExpression: 'SET #status = :failed, next_attempt_at = :null, abandoned_because = :because, updated_at = :now',
    ConditionExpression: '#status = :pending',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':failed': 'failed',
      ':pending': 'pending',
      ':null': null,
      ':because': because,
      ':now': new Date().toISOString(),
    },
  })
}
