// The webhook worker's work: one attempt of one delivery per queue message. An attempt is claimed before
// it is made (two copies of a message make one attempt), made within WEBHOOK_TIMEOUT_MS, and recorded with
// its outcome; a failed attempt queues the next one after a backoff (WEBHOOK_RETRY_BASE_S, four times
// longer each time, at most 6 hours) until WEBHOOK_RETRY_FOR_S (24 h) after the event, then the delivery
// is failed. A receiver's failure is never the worker's: the message is done either way.
import { config, version } from '../config.js'
import { unseal } from '../crypto/sealed.js'
import {
  abandonDelivery,
  claimAttempt,
  type DeliveryAttempt,
  getDelivery,
  getWebhook,
  getWebhookEvent,
  recordAttempt,
  type WebhookDeliveryRecord,
  type WebhookRecord,
} from '../data/webhooks.js'
import type { RequestLog } from '../log.js'
import { sendWebhookMessages, type WebhookMessage } from '../queue/webhooks.js'
import { postDelivery } from './post.js'
import { signatureHeader, signatureValue } from './signature.js'

/** The longest wait between two attempts. */
const longestWaitMs = 6 * 3600 * 1000
/** How long past its time a claimed attempt is held for a worker that may still be making it. */
const claimSlackMs = 30_000

/** When the attempt after `failed` failed attempts is due, or null when the delivery has run out of time. */
export function nextAttemptAt(delivery: Pick<WebhookDeliveryRecord, 'created_at'>, failed: number, now: number) {
  const { WEBHOOK_RETRY_BASE_S, WEBHOOK_RETRY_FOR_S } = config()
  const wait = Math.min(longestWaitMs, WEBHOOK_RETRY_BASE_S * 1000 * 4 ** (failed - 1))
  const due = now + wait
  return due <= Date.parse(delivery.created_at) + WEBHOOK_RETRY_FOR_S * 1000 ? due : null
}

/** The secrets a delivery is signed with now: the current one, and the one it replaced while its grace runs. */
export async function signingSecrets(webhook: WebhookRecord, now = Date.now()): Promise<string[]> {
  const current = await unseal(webhook.secret_sealed, webhook.id)
  const previous =
    webhook.previous_secret_sealed &&
    webhook.previous_secret_expires_at &&
    Date.parse(webhook.previous_secret_expires_at) > now
      ? await unseal(webhook.previous_secret_sealed, webhook.id)
      : undefined
  return previous ? [current, previous] : [current]
}

export async function deliver(message: WebhookMessage, log: RequestLog): Promise<void> {
  const now = Date.now()
  // SQS holds a message back 15 minutes at most: a later attempt is sent on until its time.
  if (message.not_before !== undefined && message.not_before > now + 1000) return sendWebhookMessages([message], now)
  const delivery = await getDelivery(message.delivery_id)
  if (delivery?.status !== 'pending') return
  const made = delivery.attempts.length
  if (made === message.attempt && delivery.next_attempt_at) {
    // This attempt is recorded; a worker that died before queuing the next one leaves that to this copy.
    const next = { delivery_id: delivery.id, attempt: made + 1, not_before: Date.parse(delivery.next_attempt_at) }
    return sendWebhookMessages([next], now)
  }
  if (made !== message.attempt - 1) return
  const { WEBHOOK_TIMEOUT_MS: timeoutMs, WEBHOOK_ALLOW_LOCAL_TARGETS: allowLocal } = config()
  if (!(await claimAttempt(delivery.id, message.attempt, now + timeoutMs + claimSlackMs, now))) return

  const webhook = await getWebhook(delivery.webhook_id)
  // Only what Vega sends on its own stops with a pause; a ping or a redelivery an admin asks for goes.
  const chosen = delivery.event_type === 'ping' || delivery.redelivery_of !== null
  const event = webhook && (webhook.active || chosen) ? await getWebhookEvent(delivery.event_id) : undefined
  if (!webhook || !event) {
    const because = !webhook ? 'webhook_deleted' : !webhook.active && !chosen ? 'webhook_paused' : 'event_expired'
    await abandonDelivery(delivery.id, because)
    return log.info('webhook delivery', { delivery_id: delivery.id, outcome: 'failed', abandoned_because: because })
  }

  const secrets = await signingSecrets(webhook, now).catch(() => undefined)
  if (!secrets) {
    await abandonDelivery(delivery.id, 'secret_unreadable')
    return log.warn('webhook delivery', {
      delivery_id: delivery.id,
      outcome: 'failed',
      abandoned_because: 'secret_unreadable',
    })
  }
  const timestamp = Math.floor(now / 1000)
  const result = await postDelivery(
    webhook.url,
    event.body,
    {
      'content-type': 'application/json',
      'user-agent': `Vega-Webhooks/${version()}`,
      'vega-event-type': event.type,
      'vega-event-id': event.id,
      'vega-delivery-id': delivery.id,
      'vega-delivery-attempt': String(message.attempt),
      [signatureHeader.toLowerCase()]: signatureValue(secrets, timestamp, event.body),
    },
    { timeoutMs, allowLocal },
  )
  const attempt: DeliveryAttempt = { attempt: message.attempt, at: new Date(now).toISOString(), ...result }
  const next = result.error === null ? null : nextAttemptAt(delivery, message.attempt, Date.now())
  const status = result.error === null ? 'succeeded' : next === null ? 'failed' : 'pending'
  const recorded = await recordAttempt(delivery.id, attempt, {
    status,
    next_attempt_at: next === null ? null : new Date(next).toISOString(),
  })
  // Never the URL (it may hold a receiver's token), the body or a secret.
  log.info('webhook delivery', {
    delivery_id: delivery.id,
    webhook_id: webhook.id,
    event_type: event.type,
    attempt: message.attempt,
    status_code: result.status_code,
    duration_ms: result.duration_ms,
    error: result.error,
    outcome: status,
  })
  if (recorded && next !== null)
    await sendWebhookMessages([{ delivery_id: delivery.id, attempt: message.attempt + 1, not_before: next }])
}
