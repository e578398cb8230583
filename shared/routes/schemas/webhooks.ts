// Webhooks (#19): docs/integrations.md "Webhooks".
import {
  abandonReasons,
  deliveryAttempt,
  deliveryStatuses,
  webhookDeliveryRecord,
  webhookEventTypes,
  webhookRecord,
} from '../../data/webhooks.js'
import { WorkspaceId } from '../../ids.js'
import * as z from '../../zod.js'
import { withMeta } from '../../zod.js'
import { Description, PageQuery, Severity } from './common.js'
import { Timestamp } from './timestamp.js'

export const WebhookEventType = z.enum(webhookEventTypes)
export const Webhook = withMeta(
  z.extend(z.pick(webhookRecord, { id: true, workspace_id: true, url: true, description: true, active: true }), {
    events: z.array(WebhookEventType),
    min_severity: withMeta(Severity, { description: 'finding.created only for findings at least this severe' }),
    previous_secret_expires_at: withMeta(z.nullable(Timestamp), {
      description: 'Until when the secret replaced by the last rotation still signs deliveries, beside the new one',
    }),
    created_at: Timestamp,
    updated_at: Timestamp,
  }),
  { id: 'Webhook' },
)
const webhookSecret = withMeta(z.string(), {
  description:
    'The signing secret (whsec_…): shown once, in this answer; Vega stores it sealed and never shows it again',
})
export const CreatedWebhook = withMeta(z.extend(Webhook, { secret: webhookSecret }), { id: 'CreatedWebhook' })
const webhookUrl = withMeta(z.url().check(z.maxLength(2048)), {
  description:
    'Where deliveries are POSTed: https://, resolving to public addresses only (the local stack also takes http:// and loopback)',
  example: 'https://hooks.example.com/vega',
})
const webhookEvents = z.array(WebhookEventType).check(
  z.minLength(1),
  z.maxLength(webhookEventTypes.length),
  z.refine((events) => new Set(events).size === events.length, 'each event once'),
)
export const CreateWebhook = z.strictObject({
  url: webhookUrl,
  events: webhookEvents,
  description: z._default(Description, ''),
  min_severity: z._default(Severity, 'info'),
  active: z._default(z.boolean(), true),
  workspace_id: z.optional(WorkspaceId),
})
export const UpdateWebhook = z.strictObject({
  url: z.optional(webhookUrl),
  events: z.optional(webhookEvents),
  description: z.optional(Description),
  min_severity: z.optional(Severity),
  active: z.optional(z.boolean()),
})
export const RotateWebhookSecret = z.strictObject({
  grace_period_s: withMeta(z._default(z.number().check(z.int(), z.gte(0), z.lte(7 * 24 * 3600)), 24 * 3600), {
    description: 'How long the old secret keeps signing deliveries beside the new one (0: not at all; at most 7 days)',
  }),
})
export const WebhookQuery = z.extend(PageQuery, { workspace_id: z.optional(WorkspaceId) })
export const WebhookDeliveryAttempt = withMeta(z.extend(deliveryAttempt, { at: Timestamp }), {
  id: 'WebhookDeliveryAttempt',
})
export const WebhookDelivery = withMeta(
  z.extend(
    z.pick(webhookDeliveryRecord, {
      id: true,
      webhook_id: true,
      event_id: true,
      event_type: true,
      redelivery_of: true,
    }),
    {
      status: z.enum(deliveryStatuses),
      attempts: z.array(WebhookDeliveryAttempt),
      next_attempt_at: withMeta(z.nullable(Timestamp), { description: 'When the next attempt is due, while pending' }),
      abandoned_because: withMeta(z.nullable(z.enum(abandonReasons)), {
        description: 'Why a delivery failed without using its attempts',
      }),
      created_at: Timestamp,
      updated_at: Timestamp,
    },
  ),
  { id: 'WebhookDelivery' },
)
export const WebhookDeliveryDetail = withMeta(
  z.extend(WebhookDelivery, {
    payload: withMeta(z.nullable(z.record(z.string(), z.unknown())), {
      description: 'The body every attempt sends (null once its event is past retention)',
    }),
  }),
  { id: 'WebhookDeliveryDetail' },
)
export const WebhookDeliveryQuery = z.extend(PageQuery, { status: z.optional(z.enum(deliveryStatuses)) })
