// Webhook endpoints as the routes see them (docs/integrations.md "Webhooks"): workspace admins register,
// change, pause, rotate, ping and delete endpoints and read their delivery logs. A secret is shown once,
// at creation or rotation, and stored sealed; an endpoint of another workspace is 404 like none.
import { type Access, inWorkspace, workspaceFor } from '../auth/access.js'
import { userOf } from '../auth/principal.js'
import { config } from '../config.js'
import { seal } from '../crypto/sealed.js'
import type { PageRequest } from '../data/db.js'
import {
  createWebhook,
  type DeliveryStatus,
  deleteWebhook,
  getDelivery,
  getWebhook,
  getWebhookEvent,
  listDeliveries,
  listWebhooks,
  updateWebhook,
  type WebhookDeliveryRecord,
  type WebhookEventType,
  type WebhookRecord,
  webhooksPerWorkspace,
} from '../data/webhooks.js'
import { ApiError, gone, notFound, validationFailed } from '../http/errors.js'
import { newId, type UserId, type WebhookDeliveryId, type WebhookId, type WorkspaceId } from '../ids.js'
import type { Severity } from '../scanning/engine.js'
import { resolvedProblem } from '../webhooks/address.js'
import { redeliver as sendAgain, ping as sendPing } from '../webhooks/emit.js'
import { newWebhookSecret } from '../webhooks/signature.js'

export const toWebhook = (record: WebhookRecord) => ({
  id: record.id,
  workspace_id: record.workspace_id,
  url: record.url,
  description: record.description,
  events: record.events,
  min_severity: record.min_severity,
  active: record.active,
  previous_secret_expires_at:
    record.previous_secret_expires_at && Date.parse(record.previous_secret_expires_at) > Date.now()
      ? record.previous_secret_expires_at
      : null,
  created_at: record.created_at,
  updated_at: record.updated_at,
})

export const toDelivery = (record: WebhookDeliveryRecord) => ({
  id: record.id,
  webhook_id: record.webhook_id,
  event_id: record.event_id,
  event_type: record.event_type,
  status: record.status,
  attempts: record.attempts,
  next_attempt_at: record.status === 'pending' ? record.next_attempt_at : null,
  abandoned_because: record.abandoned_because ?? null,
  redelivery_of: record.redelivery_of,
  created_at: record.created_at,
  updated_at: record.updated_at,
})

/** An endpoint the stage lets deliveries reach (https, public addresses), checked again at every delivery. */
async function checkUrl(url: string) {
  const problem = await resolvedProblem(url, config().WEBHOOK_ALLOW_LOCAL_TARGETS)
  if (problem) throw validationFailed([{ path: 'body.url', message: problem }])
}

const findWebhook = async (access: Access, id: WebhookId) => inWorkspace(access, await getWebhook(id), 'Webhook', id)

export async function list(access: Access, query: { workspace_id?: WorkspaceId }, page: PageRequest) {
  const workspace = await workspaceFor(access, query.workspace_id)
  const found = await listWebhooks(workspace, page)
  return { items: found.items.map(toWebhook), lastKey: found.lastKey }
}

export async function create(
  access: Access,
  input: {
    url: string
    events: WebhookEventType[]
    description: string
    min_severity: Severity
    active: boolean
    workspace_id?: WorkspaceId
  },
) {
  const workspace = await workspaceFor(access, input.workspace_id)
  await checkUrl(input.url)
  const id = newId('webhook')
  const secret = newWebhookSecret()
  const now = new Date().toISOString()
  const record: WebhookRecord = {
    id,
    workspace_id: workspace,
    url: input.url,
    description: input.description,
    events: input.events,
    min_severity: input.min_severity,
    active: input.active,
    secret_sealed: await seal(secret, id),
    previous_secret_sealed: null,
    previous_secret_expires_at: null,
    created_by: (userOf(access.actor) as UserId | undefined) ?? null,
    created_at: now,
    updated_at: now,
  }
  if ((await createWebhook(record)) === 'limit') {
    const message = `A workspace has at most ${webhooksPerWorkspace} webhooks; delete one first`
    throw new ApiError('validation_failed', message, {
      issues: [{ path: 'body', message }],
      limit: webhooksPerWorkspace,
    })
  }
  return { ...toWebhook(record), secret }
}

export const get = async (access: Access, id: WebhookId) => toWebhook(await findWebhook(access, id))

export async function update(
  access: Access,
  id: WebhookId,
  changes: Partial<Pick<WebhookRecord, 'url' | 'events' | 'description' | 'min_severity' | 'active'>>,
) {
  const webhook = await findWebhook(access, id)
  if (changes.url !== undefined && changes.url !== webhook.url) await checkUrl(changes.url)
  const now = new Date().toISOString()
  if (!(await updateWebhook(id, changes, now))) throw notFound('Webhook', id)
  return toWebhook({ ...webhook, ...changes, updated_at: now })
}

export async function remove(access: Access, id: WebhookId) {
  const webhook = await findWebhook(access, id)
  if (!(await deleteWebhook(webhook))) throw notFound('Webhook', id)
}

/**
 * A new secret, shown once. The one it replaces keeps signing beside it for the grace period, so receivers
 * can move to the new one without missing a delivery; a rotation during a grace period ends the older one.
 */
export async function rotate(access: Access, id: WebhookId, gracePeriodS: number) {
  const webhook = await findWebhook(access, id)
  const secret = newWebhookSecret()
  const now = new Date()
  const changes = {
    secret_sealed: await seal(secret, id),
    previous_secret_sealed: gracePeriodS > 0 ? webhook.secret_sealed : null,
    previous_secret_expires_at: gracePeriodS > 0 ? new Date(now.getTime() + gracePeriodS * 1000).toISOString() : null,
  }
  if (!(await updateWebhook(id, changes, now.toISOString()))) throw notFound('Webhook', id)
  return { ...toWebhook({ ...webhook, ...changes, updated_at: now.toISOString() }), secret }
}

export async function ping(access: Access, id: WebhookId) {
  const webhook = await findWebhook(access, id)
  const delivery = await getDelivery(await sendPing(webhook))
  return toDelivery(delivery!)
}

export async function deliveries(access: Access, id: WebhookId, page: PageRequest, status?: DeliveryStatus) {
  const webhook = await findWebhook(access, id)
  const found = await listDeliveries(webhook.id, page, status)
  return { items: found.items.map(toDelivery), lastKey: found.lastKey }
}

async function findDelivery(access: Access, id: WebhookId, deliveryId: WebhookDeliveryId) {
  const webhook = await findWebhook(access, id)
  const delivery = await getDelivery(deliveryId)
  if (!delivery || delivery.webhook_id !== webhook.id) throw notFound('Delivery', deliveryId)
  return { webhook, delivery }
}

export async function delivery(access: Access, id: WebhookId, deliveryId: WebhookDeliveryId) {
  const found = await findDelivery(access, id, deliveryId)
  const event = await getWebhookEvent(found.delivery.event_id)
  return { ...toDelivery(found.delivery), payload: event ? (JSON.parse(event.body) as Record<string, unknown>) : null }
}

export async function redeliver(access: Access, id: WebhookId, deliveryId: WebhookDeliveryId) {
  const { webhook, delivery: original } = await findDelivery(access, id, deliveryId)
  const event = await getWebhookEvent(original.event_id)
  if (!event) throw gone(`The event of delivery ${deliveryId} is past its 30 days' retention`)
  return toDelivery((await getDelivery(await sendAgain(webhook, event, original.id)))!)
}
