// The one way an event leaves Vega for a workspace's webhooks: the scan worker, the cleanup and the API
// all call this module, never the queue or the delivery table themselves.
//
// Exactly one event per occurrence: an event's id is derived from the workspace, its type and what makes
// the occurrence itself (a scan's id for `scan.succeeded`, a finding and the scan that reopened it), and
// it is written with a conditional put. Meeting the occurrence again (a redelivered scan message, a
// worker that died after the fact and before telling it) finds the event and sends nothing new; an event
// whose emitter died before queuing every delivery is finished by the next emit of it. Each delivery's
// id is derived from its event and endpoint the same way, so an endpoint gets one delivery per event.
import type { ApiKeyRecord } from '../data/api-keys.js'
import type { DismissalRecord } from '../data/dismissals.js'
import type { FindingRecord } from '../data/findings.js'
import type { ScanRecord } from '../data/scans.js'
import { listMembershipsOfUser } from '../data/users.js'
import {
  allWebhooks,
  getDelivery,
  getWebhookEvent,
  markDispatched,
  putDelivery,
  putWebhookEvent,
  type WebhookDeliveryRecord,
  type WebhookEventRecord,
  type WebhookEventType,
  type WebhookRecord,
} from '../data/webhooks.js'
import { derivedId, newId, type RepositoryId, type ScanId, type WorkspaceId } from '../ids.js'
import { sendWebhookMessages, type WebhookMessage } from '../queue/webhooks.js'
import { type Severity, severities } from '../scanning/engine.js'
import { apiKeyResource, dismissalResource, findingResource, scanResource, webhookResource } from './resources.js'

/** The version of the delivery body's shape; a change that could break a receiver bumps it. */
export const webhookSchemaVersion = 1

export interface Occurrence {
  type: WebhookEventType
  /** What makes this occurrence itself, among occurrences of its type in the workspace. */
  key: string
  resourceType: 'scan' | 'finding' | 'api_key' | 'dismissal_request'
  resource: object
  /** For finding.created: the finding's severity, held against each endpoint's floor. */
  severity?: Severity
}

const atLeast = (severity: Severity, floor: Severity) => severities.indexOf(severity) <= severities.indexOf(floor)

const subscribes = (webhook: WebhookRecord, occurrence: Occurrence) =>
  webhook.active &&
  webhook.events.includes(occurrence.type) &&
  (occurrence.type !== 'finding.created' || atLeast(occurrence.severity ?? 'info', webhook.min_severity))

const bodyOf = (
  event: Pick<WebhookEventRecord, 'id' | 'type' | 'created_at' | 'workspace_id'>,
  resourceType: string,
  resource: object,
) =>
  JSON.stringify({
    schema_version: webhookSchemaVersion,
    id: event.id,
    type: event.type,
    created_at: event.created_at,
    workspace_id: event.workspace_id,
    resource_type: resourceType,
    resource,
  })

/** Tells the workspace's subscribed endpoints of these occurrences; does nothing where none subscribes. */
export async function emit(workspace: WorkspaceId, occurrences: Occurrence[]): Promise<void> {
  if (occurrences.length === 0) return
  const endpoints = await allWebhooks(workspace)
  const wanted = occurrences
    .map((occurrence) => ({ occurrence, to: endpoints.filter((webhook) => subscribes(webhook, occurrence)) }))
    .filter(({ to }) => to.length > 0)
  if (wanted.length === 0) return
  const messages: WebhookMessage[] = []
  const events: WebhookEventRecord[] = []
  await inParallel(wanted, 8, async ({ occurrence, to }) => {
    const id = derivedId('webhookEvent', workspace, occurrence.type, occurrence.key)
    const created_at = new Date().toISOString()
    const fresh: WebhookEventRecord = {
      id,
      workspace_id: workspace,
      type: occurrence.type,
      created_at,
      body: bodyOf(
        { id, type: occurrence.type, created_at, workspace_id: workspace },
        occurrence.resourceType,
        occurrence.resource,
      ),
      dispatched: false,
    }
    const event = (await putWebhookEvent(fresh)) ? fresh : await getWebhookEvent(id)
    if (!event || event.dispatched) return
    for (const webhook of to) {
      const message = await deliveryOf(event, webhook, derivedId('webhookDelivery', event.id, webhook.id))
      if (message) messages.push(message)
    }
    events.push(event)
  })
  await sendWebhookMessages(messages)
  await inParallel(events, 8, (event) => markDispatched(event.id))
}

/**
 * The delivery of an event to an endpoint, stored once; the message of its first attempt when that is
 * still to be sent (a new delivery, or one whose emitter died before queuing it: a second message for
 * one attempt is harmless, the worker claims each attempt once).
 */
async function deliveryOf(
  event: WebhookEventRecord,
  webhook: WebhookRecord,
  id: WebhookDeliveryRecord['id'],
  redeliveryOf: WebhookDeliveryRecord['id'] | null = null,
): Promise<WebhookMessage | undefined> {
  const now = new Date().toISOString()
  const delivery: WebhookDeliveryRecord = {
    id,
    webhook_id: webhook.id,
    workspace_id: webhook.workspace_id,
    event_id: event.id,
    event_type: event.type,
    status: 'pending',
    attempts: [],
    next_attempt_at: now,
    redelivery_of: redeliveryOf,
    created_at: now,
    updated_at: now,
  }
  if (await putDelivery(delivery)) return { delivery_id: id, attempt: 1 }
  const stored = await getDelivery(id)
  return stored?.status === 'pending' && stored.attempts.length === 0 ? { delivery_id: id, attempt: 1 } : undefined
}

/** A test ping to one endpoint (active or not): its own event, delivered like any other. */
export async function ping(webhook: WebhookRecord): Promise<WebhookDeliveryRecord['id']> {
  const id = newId('webhookEvent')
  const created_at = new Date().toISOString()
  const event: WebhookEventRecord = {
    id,
    workspace_id: webhook.workspace_id,
    type: 'ping',
    created_at,
    body: bodyOf(
      { id, type: 'ping', created_at, workspace_id: webhook.workspace_id },
      'webhook',
      webhookResource(webhook),
    ),
    dispatched: true,
  }
  await putWebhookEvent(event)
  const delivery = derivedId('webhookDelivery', event.id, webhook.id)
  await sendWebhookMessages([(await deliveryOf(event, webhook, delivery))!])
  return delivery
}

/** Sends an event again to an endpoint, as a new delivery with attempts of its own (the same body, new signatures). */
export async function redeliver(
  webhook: WebhookRecord,
  event: WebhookEventRecord,
  of: WebhookDeliveryRecord['id'],
): Promise<WebhookDeliveryRecord['id']> {
  const delivery = newId('webhookDelivery')
  await sendWebhookMessages([(await deliveryOf(event, webhook, delivery, of))!])
  return delivery
}

// The occurrences Vega tells, each from where it happens.

/** A scan reached its end: succeeded (and, when its gate failed, gate.failed too) or failed. */
export function scanFinished(scan: ScanRecord): Promise<void> {
  const resource = scanResource(scan)
  const told = (type: WebhookEventType): Occurrence => ({ type, key: scan.id, resourceType: 'scan', resource })
  if (scan.status === 'failed') return emit(scan.workspace_id, [told('scan.failed')])
  if (scan.status !== 'succeeded') return Promise.resolve()
  return emit(scan.workspace_id, [
    told('scan.succeeded'),
    ...(scan.gate?.verdict === 'failed' ? [told('gate.failed')] : []),
  ])
}

/** Findings a scan saw for the first time (each finding is created once, so its id is the occurrence). */
export const findingsCreated = (workspace: WorkspaceId, findings: FindingRecord[]) =>
  emit(
    workspace,
    findings.map((finding) => ({
      type: 'finding.created' as const,
      key: finding.id,
      resourceType: 'finding' as const,
      resource: findingResource(finding),
      severity: finding.severity,
    })),
  )

/** Fixed or dismissed findings open again; `because` names each reopening (the scan, or the triage step). */
export const findingsReopened = (workspace: WorkspaceId, reopened: { finding: FindingRecord; because: string }[]) =>
  emit(
    workspace,
    reopened.map(({ finding, because }) => ({
      type: 'finding.reopened' as const,
      key: `${finding.id}:${because}`,
      resourceType: 'finding' as const,
      resource: findingResource({ ...finding, status: 'open' }),
    })),
  )

/**
 * A key revoked, by its manager, by a purge, or by a scan that found it pushed. A key is revoked once, so
 * its id is the occurrence. Told to the workspaces the key acts in (a workspace key's own; every
 * workspace of a personal key's owner) and, for a leak, to the workspace whose repository held it.
 */
export async function apiKeyRevoked(
  key: ApiKeyRecord,
  revoked: {
    reason: 'revoked' | 'leaked'
    at: string
    found_in?: { workspace_id: WorkspaceId; repository_id: RepositoryId; scan_id: ScanId }
  },
): Promise<void> {
  const workspaces = new Set<WorkspaceId>(
    key.owner.type === 'workspace'
      ? [key.owner.id]
      : (await listMembershipsOfUser(key.owner.id)).map((membership) => membership.workspace_id),
  )
  if (revoked.found_in) workspaces.add(revoked.found_in.workspace_id)
  const found_in = revoked.found_in && {
    repository_id: revoked.found_in.repository_id,
    scan_id: revoked.found_in.scan_id,
  }
  const resource = apiKeyResource(key, { reason: revoked.reason, at: revoked.at, found_in })
  for (const workspace of workspaces)
    await emit(workspace, [{ type: 'api_key.revoked', key: key.id, resourceType: 'api_key', resource }])
}

/** Someone asked an admin to dismiss a critical finding. */
export const dismissalRequested = (request: DismissalRecord) =>
  emit(request.workspace_id, [
    {
      type: 'dismissal.requested',
      key: request.id,
      resourceType: 'dismissal_request',
      resource: dismissalResource(request),
    },
  ])

/** Runs `work` over the items, at most `width` at a time; fails with the first failure. */
async function inParallel<T>(items: T[], width: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0
  const lane = async () => {
    while (next < items.length) await work(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane))
}
