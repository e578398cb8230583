// Webhooks against a real receiver: endpoints over the API, events from the real worker, deliveries through
// this file's own queue, the real webhook worker and a node:http server on 127.0.0.1 (this stage allows
// local targets, as the local stack does; webhooks-strict.test.ts holds a stage that does not).
process.env.WEBHOOK_TIMEOUT_MS = '700'
process.env.WEBHOOK_RETRY_BASE_S = '1'
process.env.WEBHOOK_RETRY_FOR_S = '7'

import type { Context } from 'aws-lambda'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { handler as apiKeys } from '../../functions/api-keys/handler.js'
import { handler as auth } from '../../functions/auth/handler.js'
import { handler as repositories } from '../../functions/repositories/handler.js'
import { handler as worker } from '../../functions/scan-worker/handler.js'
import { handler as webhooks } from '../../functions/webhooks/handler.js'
import type { Poller } from '../../infra/local/poller.js'
import { sqsEvent, sqsRecord } from '../../infra/local/sqs-event.js'
import { getItem } from '../../shared/data/db.js'
import { getScan } from '../../shared/data/scans.js'
import { webhookEventTypes, webhooksPerWorkspace } from '../../shared/data/webhooks.js'
import { ErrorEnvelope } from '../../shared/http/envelope-schema.js'
import {
  CreatedWebhook,
  Webhook,
  type WebhookDelivery,
  WebhookDeliveryDetail,
} from '../../shared/routes/schemas/webhooks.js'
import { scanFinished } from '../../shared/webhooks/emit.js'
import * as z from '../../shared/zod.js'
import { committedPack, removeTempDirs } from '../support/git-fixtures.js'
import { call, memberOf, newOwner, type Person, workspaceKey } from '../support/identity.js'
import { captureLogs } from '../support/logs.js'
import { codeFinding, queuedPackScan, repositoryOf, succeededScan } from '../support/scans.js'
import {
  documentedVerifier,
  eventually,
  ownWebhookQueue,
  type Received,
  type Receiver,
  startReceiver,
} from '../support/webhooks.js'

const queue = await ownWebhookQueue('webhooks')
let poller: Poller
let receiver: Receiver
const verify = documentedVerifier()

beforeAll(async () => {
  poller = queue.start()
  receiver = await startReceiver()
})
afterAll(async () => {
  await poller?.stop()
  await receiver?.close()
  removeTempDirs()
})

const allEvents = [...webhookEventTypes]

/** A receiver of its own (deliveries of one test never mix with another's). */
async function ownReceiver(): Promise<Receiver> {
  const own = await startReceiver()
  closing.push(own)
  return own
}
const closing: Receiver[] = []
afterAll(async () => {
  await Promise.all(closing.map((own) => own.close()))
})

async function register(owner: Person, url: string, body: Record<string, unknown> = {}) {
  const answer = await call(webhooks, 'POST', '/v1/webhooks', {
    as: owner.token,
    body: { url, events: allEvents, ...body },
  })
  expect(answer.status, answer.text).toBe(201)
  return answer.json as z.infer<typeof CreatedWebhook>
}

const deliveriesOf = async (owner: Person, webhookId: string) =>
  (await call(webhooks, 'GET', `/v1/webhooks/${webhookId}/deliveries`, { as: owner.token })).json.items as z.infer<
    typeof WebhookDelivery
  >[]

const payloadOf = (request: Received) => JSON.parse(request.body)
const quietFor = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('webhook endpoints', () => {
  it('shows the secret once, never in a read or a list or the stored item, and updates and deletes', async () => {
    const owner = await newOwner('hooks')
    const created = await register(owner, receiver.url, { description: 'ci', min_severity: 'high' })

    expect(z.safeParse(CreatedWebhook, created).success).toBe(true)
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/)
    expect(created).toMatchObject({
      url: receiver.url,
      min_severity: 'high',
      active: true,
      workspace_id: owner.workspaceId,
    })
    const read = await call(webhooks, 'GET', `/v1/webhooks/${created.id}`, { as: owner.token })
    const listed = await call(webhooks, 'GET', '/v1/webhooks', { as: owner.token })
    expect(read.status).toBe(200)
    expect(z.safeParse(Webhook, read.json).success).toBe(true)
    expect(listed.json.items.map((item: { id: string }) => item.id)).toEqual([created.id])
    for (const answer of [read, listed]) {
      expect(answer.text).not.toContain(created.secret)
      expect(answer.text).not.toMatch(/secret_sealed|whsec_/)
    }
    const stored = JSON.stringify(await getItem({ pk: `WHK#${created.id}`, sk: 'WEBHOOK' }))
    expect(stored).toContain('secret_sealed')
    expect(stored).not.toContain(created.secret.slice('whsec_'.length, 'whsec_'.length + 8))

    const changed = await call(webhooks, 'PATCH', `/v1/webhooks/${created.id}`, {
      as: owner.token,
      body: { events: ['scan.failed'], active: false },
    })
    expect(changed.status).toBe(200)
    expect(changed.json).toMatchObject({ events: ['scan.failed'], active: false, min_severity: 'high' })
    expect((await call(webhooks, 'DELETE', `/v1/webhooks/${created.id}`, { as: owner.token })).status).toBe(204)
    expect((await call(webhooks, 'GET', `/v1/webhooks/${created.id}`, { as: owner.token })).status).toBe(404)
  })

  it('refuses an unknown event type, a malformed URL and more than the limit with the validation envelope', async () => {
    const owner = await newOwner('hooks-bad')
    const unknown = await call(webhooks, 'POST', '/v1/webhooks', {
      as: owner.token,
      body: { url: receiver.url, events: ['scan.succeeded', 'repository.exploded'] },
    })
    const malformed = await call(webhooks, 'POST', '/v1/webhooks', {
      as: owner.token,
      body: { url: 'not a url', events: ['scan.failed'] },
    })

    for (const answer of [unknown, malformed]) {
      expect(answer.status).toBe(422)
      expect(z.safeParse(ErrorEnvelope, answer.json).success).toBe(true)
      expect(answer.json.error.code).toBe('validation_failed')
    }
    expect(unknown.json.error.details.issues.map((issue: { path: string }) => issue.path)).toEqual(['body.events.1'])
    expect(malformed.json.error.details.issues[0].path).toBe('body.url')

    for (let i = 0; i < webhooksPerWorkspace; i++) await register(owner, `${receiver.url}?n=${i}`)
    const over = await call(webhooks, 'POST', '/v1/webhooks', {
      as: owner.token,
      body: { url: receiver.url, events: ['scan.failed'] },
    })
    expect(over.status).toBe(422)
    expect(over.json.error).toMatchObject({ code: 'validation_failed', details: { limit: webhooksPerWorkspace } })
    const listed = await call(webhooks, 'GET', '/v1/webhooks', { as: owner.token, query: 'limit=200' })
    expect(listed.json.items).toHaveLength(webhooksPerWorkspace)
    // Deleting one gives its place back.
    await call(webhooks, 'DELETE', `/v1/webhooks/${listed.json.items[0].id}`, { as: owner.token })
    await register(owner, receiver.url)
  })

  it('is for admins: members and viewers get 403, a workspace key 403, another workspace 404', async () => {
    const owner = await newOwner('hooks-roles')
    const created = await register(owner, receiver.url)
    const member = await memberOf(owner, 'member')
    const viewer = await memberOf(owner, 'viewer')
    const admin = await memberOf(owner, 'admin')
    const key = await workspaceKey(owner, 'ci', ['read', 'write'])
    const stranger = await newOwner('hooks-stranger')
    const routes: [string, string, unknown?][] = [
      ['GET', '/v1/webhooks'],
      ['POST', '/v1/webhooks', { url: receiver.url, events: ['scan.failed'] }],
      ['GET', `/v1/webhooks/${created.id}`],
      ['PATCH', `/v1/webhooks/${created.id}`, { active: false }],
      ['DELETE', `/v1/webhooks/${created.id}`],
      ['POST', `/v1/webhooks/${created.id}/rotate-secret`, {}],
      ['POST', `/v1/webhooks/${created.id}/ping`],
      ['GET', `/v1/webhooks/${created.id}/deliveries`],
    ]

    for (const [method, path, body] of routes) {
      for (const as of [member.token, viewer.token, key.secret]) {
        const answer = await call(webhooks, method, path, { as, body })
        expect([method, path, answer.status]).toEqual([method, path, 403])
        expect(answer.json.error.code).toBe('forbidden')
      }
      if (path !== '/v1/webhooks') {
        const hidden = await call(webhooks, method, path, { as: stranger.token, body })
        expect([method, path, hidden.status]).toEqual([method, path, 404])
        expect(hidden.json.error.code).toBe('not_found')
      }
    }
    const asked = await call(webhooks, 'GET', '/v1/webhooks', {
      as: stranger.token,
      query: `workspace_id=${owner.workspaceId}`,
    })
    expect(asked.status).toBe(404)
    // Nothing moved, and an admin may do it all.
    expect((await call(webhooks, 'GET', `/v1/webhooks/${created.id}`, { as: admin.token })).json).toMatchObject({
      active: true,
    })
    expect(receiver.requests.filter((request) => payloadOf(request).resource?.id === created.id)).toEqual([])
  })
})

describe('deliveries', () => {
  it('signs a ping so that the documented snippet verifies it, and logs the attempt', async () => {
    const owner = await newOwner('hooks-ping')
    const own = await ownReceiver()
    const created = await register(owner, own.url)

    const pinged = await call(webhooks, 'POST', `/v1/webhooks/${created.id}/ping`, { as: owner.token })

    expect(pinged.status).toBe(202)
    expect(pinged.headers.location).toMatch(new RegExp(`/v1/webhooks/${created.id}/deliveries/${pinged.json.id}$`))
    const [request] = await own.waitFor(1)
    const payload = payloadOf(request!)
    expect(payload).toMatchObject({
      schema_version: 1,
      id: expect.stringMatching(/^whe_[0-9A-Z]{26}$/),
      type: 'ping',
      workspace_id: owner.workspaceId,
      resource_type: 'webhook',
      resource: { id: created.id, url: own.url, events: allEvents },
    })
    expect(payload.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
    expect(request!.headers).toMatchObject({
      'content-type': 'application/json',
      'vega-event-type': 'ping',
      'vega-event-id': payload.id,
      'vega-delivery-id': pinged.json.id,
      'vega-delivery-attempt': '1',
    })
    const signature = request!.headers['vega-signature'] as string
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/)
    expect(verify(signature, request!.body, [created.secret])).toBe(true)
    expect(verify(signature, `${request!.body} `, [created.secret])).toBe(false)
    expect(verify(signature, request!.body, ['whsec_someone-else'])).toBe(false)
    // A delivery replayed long after its signature was made is refused by the tolerance.
    expect(verify(signature, request!.body, [created.secret], 300, Date.now() + 600_000)).toBe(false)

    const logged = await eventually(
      () => call(webhooks, 'GET', `/v1/webhooks/${created.id}/deliveries/${pinged.json.id}`, { as: owner.token }),
      (answer) => answer.json.status === 'succeeded',
    )
    expect(z.safeParse(WebhookDeliveryDetail, logged.json).success).toBe(true)
    expect(logged.json).toMatchObject({
      event_type: 'ping',
      event_id: payload.id,
      attempts: [{ attempt: 1, status_code: 200, error: null, duration_ms: expect.any(Number) }],
      next_attempt_at: null,
      payload,
    })
    expect(logged.text).not.toContain(created.secret)
  })

  it('tries again after a 500 and succeeds, with the same event and body and a new attempt number', async () => {
    const owner = await newOwner('hooks-retry')
    const own = await ownReceiver()
    own.answer((_, response, index) => response.writeHead(index === 0 ? 500 : 204).end())
    const created = await register(owner, own.url)

    const pinged = await call(webhooks, 'POST', `/v1/webhooks/${created.id}/ping`, { as: owner.token })

    const [first, second] = await own.waitFor(2)
    expect(second!.body).toBe(first!.body)
    expect(second!.headers['vega-event-id']).toBe(first!.headers['vega-event-id'])
    expect([first!.headers['vega-delivery-attempt'], second!.headers['vega-delivery-attempt']]).toEqual(['1', '2'])
    // The backoff: WEBHOOK_RETRY_BASE_S (1 s here) after the first failure.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(900)
    expect(verify(second!.headers['vega-signature'] as string, second!.body, [created.secret])).toBe(true)
    const done = await eventually(
      () => call(webhooks, 'GET', `/v1/webhooks/${created.id}/deliveries/${pinged.json.id}`, { as: owner.token }),
      (answer) => answer.json.status !== 'pending',
    )
    expect(done.json.status).toBe('succeeded')
    expect(done.json.attempts).toEqual([
      expect.objectContaining({ attempt: 1, status_code: 500, error: 'unexpected_status' }),
      expect.objectContaining({ attempt: 2, status_code: 204, error: null }),
    ])
    await quietFor(1500)
    expect(own.requests).toHaveLength(2)
  })

  it('gives a slow receiver up after the attempt timeout, backs off, and marks the delivery failed after the retry window', async () => {
    const owner = await newOwner('hooks-slow')
    const own = await ownReceiver()
    // Answers after 2 s, long past WEBHOOK_TIMEOUT_MS (700 ms here).
    own.answer((_, response) => setTimeout(() => response.writeHead(200).end(), 2000).unref())
    const created = await register(owner, own.url)

    const pinged = await call(webhooks, 'POST', `/v1/webhooks/${created.id}/ping`, { as: owner.token })

    const failed = await eventually(
      () => call(webhooks, 'GET', `/v1/webhooks/${created.id}/deliveries/${pinged.json.id}`, { as: owner.token }),
      (answer) => answer.json.status !== 'pending',
      20_000,
    )
    expect(failed.json.status).toBe('failed')
    // Waits of 1 s then 4 s fit WEBHOOK_RETRY_FOR_S (7 s); the next (16 s) would not.
    expect(failed.json.attempts).toHaveLength(3)
    for (const attempt of failed.json.attempts) {
      expect(attempt).toMatchObject({ status_code: null, error: 'timeout' })
      expect(attempt.duration_ms).toBeGreaterThanOrEqual(650)
      expect(attempt.duration_ms).toBeLessThan(1900)
    }
    expect(failed.json.next_attempt_at).toBeNull()
    const listed = await call(webhooks, 'GET', `/v1/webhooks/${created.id}/deliveries`, {
      as: owner.token,
      query: 'status=failed',
    })
    expect(listed.json.items.map((item: { id: string }) => item.id)).toEqual([pinged.json.id])
    expect(own.requests).toHaveLength(3)
  }, 40_000)

  it('redelivers an event as a new delivery: same event id and body, its own delivery id and signature', async () => {
    const owner = await newOwner('hooks-redeliver')
    const own = await ownReceiver()
    const created = await register(owner, own.url)
    const pinged = await call(webhooks, 'POST', `/v1/webhooks/${created.id}/ping`, { as: owner.token })
    await own.waitFor(1)

    const again = await call(webhooks, 'POST', `/v1/webhooks/${created.id}/deliveries/${pinged.json.id}/redeliver`, {
      as: owner.token,
    })

    expect(again.status).toBe(202)
    expect(again.json).toMatchObject({ redelivery_of: pinged.json.id, event_id: pinged.json.event_id })
    expect(again.json.id).not.toBe(pinged.json.id)
    const [first, second] = await own.waitFor(2)
    expect(second!.body).toBe(first!.body)
    expect(second!.headers['vega-delivery-id']).toBe(again.json.id)
    expect(verify(second!.headers['vega-signature'] as string, second!.body, [created.secret])).toBe(true)
    const log = await eventually(
      () => deliveriesOf(owner, created.id),
      (items) => items.every((item) => item.status === 'succeeded'),
    )
    expect(log.map((item) => item.id)).toEqual([again.json.id, pinged.json.id])
  })

  it('keeps the old secret signing beside the new one during the grace period, and only the new one after', async () => {
    const owner = await newOwner('hooks-rotate')
    const own = await ownReceiver()
    // By name this time: the connection's own lookup resolves it (and lets loopback through in this stage).
    const created = await register(owner, own.url.replace('127.0.0.1', 'localhost'))

    const rotated = await call(webhooks, 'POST', `/v1/webhooks/${created.id}/rotate-secret`, {
      as: owner.token,
      body: {},
    })
    expect(rotated.status).toBe(200)
    expect(rotated.json.secret).toMatch(/^whsec_/)
    expect(rotated.json.secret).not.toBe(created.secret)
    const graceEnds = Date.parse(rotated.json.previous_secret_expires_at)
    expect(graceEnds - Date.now()).toBeGreaterThan(23 * 3600 * 1000)
    expect((await call(webhooks, 'GET', `/v1/webhooks/${created.id}`, { as: owner.token })).text).not.toContain(
      rotated.json.secret,
    )
    await call(webhooks, 'POST', `/v1/webhooks/${created.id}/ping`, { as: owner.token })
    const [during] = await own.waitFor(1)
    const duringHeader = during!.headers['vega-signature'] as string
    expect(duringHeader.match(/v1=/g)).toHaveLength(2)
    expect(verify(duringHeader, during!.body, [created.secret])).toBe(true)
    expect(verify(duringHeader, during!.body, [rotated.json.secret])).toBe(true)

    // A rotation with a 1 s grace: the secret it replaces signs for one second more.
    const short = await call(webhooks, 'POST', `/v1/webhooks/${created.id}/rotate-secret`, {
      as: owner.token,
      body: { grace_period_s: 1 },
    })
    await quietFor(1200)
    await call(webhooks, 'POST', `/v1/webhooks/${created.id}/ping`, { as: owner.token })
    const [, after] = await own.waitFor(2)
    const afterHeader = after!.headers['vega-signature'] as string
    expect(afterHeader.match(/v1=/g)).toHaveLength(1)
    expect(verify(afterHeader, after!.body, [short.json.secret])).toBe(true)
    expect(verify(afterHeader, after!.body, [rotated.json.secret])).toBe(false)
    expect(verify(afterHeader, after!.body, [created.secret])).toBe(false)
    expect((await call(webhooks, 'GET', `/v1/webhooks/${created.id}`, { as: owner.token })).json).toMatchObject({
      previous_secret_expires_at: null,
    })
  })

  it('logs every step of a delivery, and never a secret, a body or the URL', async () => {
    const owner = await newOwner('hooks-logs')
    const own = await ownReceiver()
    const secretPath = `/hooks/token-${owner.userId}`
    const log = captureLogs('DEBUG')
    let created: z.infer<typeof CreatedWebhook>
    let rotated: { secret: string }
    try {
      created = await register(owner, `${own.url.replace('/hooks/vega', '')}${secretPath}`)
      rotated = (
        await call(webhooks, 'POST', `/v1/webhooks/${created.id}/rotate-secret`, { as: owner.token, body: {} })
      ).json
      const pinged = await call(webhooks, 'POST', `/v1/webhooks/${created.id}/ping`, { as: owner.token })
      await own.waitFor(1)
      await eventually(
        () => call(webhooks, 'GET', `/v1/webhooks/${created.id}/deliveries/${pinged.json.id}`, { as: owner.token }),
        (answer) => answer.json.status === 'succeeded',
      )
    } finally {
      log.stop()
    }
    const output = log.lines.join('')
    expect(output).toContain('"message":"webhook delivery"')
    expect(output).toContain(created.id)
    for (const secret of [created.secret, rotated.secret])
      expect(output).not.toContain(secret.slice('whsec_'.length, 'whsec_'.length + 12))
    expect(output).not.toContain(secretPath)
    expect(output).not.toContain(own.requests[0]!.headers['vega-signature'] as string)
  })
})

describe('events', () => {
  it('tells a scan once, with its gate, its new findings and the leaked key it revoked, however often its message comes', async () => {
    const owner = await newOwner('hooks-scan')
    const own = await ownReceiver()
    const created = await register(owner, own.url, { min_severity: 'high' })
    const leaked = await workspaceKey(owner, 'deploy', ['read'])
    const { pack, refs } = committedPack({
      'deploy.sh': `#!/bin/sh\ncurl -H "Authorization: Bearer ${leaked.secret}" https://vega.example.com/v1/projects\n`,
      'index.js': 'export const answer = 42\n',
    })
    const repository = await repositoryOf(owner)
    const scan = await queuedPackScan(repository, { pack, refs }, { engines: ['secrets'] })
    const message = sqsEvent(sqsRecord({ scan_id: scan.id }))

    expect((await worker(message, {} as Context)).batchItemFailures).toEqual([])
    const told = await own.waitFor(4)
    // The same message again (SQS delivers at least once), and the scan's end told again directly, as a
    // worker that died after telling would on its retry.
    expect((await worker(message, {} as Context)).batchItemFailures).toEqual([])
    await scanFinished((await getScan(scan.id))!)
    await quietFor(2500)

    expect(own.requests).toHaveLength(4)
    const byType = Object.fromEntries(told.map((request) => [payloadOf(request).type, payloadOf(request)]))
    expect(Object.keys(byType).sort()).toEqual(['api_key.revoked', 'finding.created', 'gate.failed', 'scan.succeeded'])
    expect(byType['scan.succeeded']).toMatchObject({
      resource_type: 'scan',
      resource: { id: scan.id, repository_id: repository.id, status: 'succeeded', gate: { verdict: 'failed' } },
    })
    expect(byType['gate.failed'].resource.id).toBe(scan.id)
    expect(byType['finding.created']).toMatchObject({
      resource_type: 'finding',
      resource: { rule_id: 'vega-api-key', severity: 'critical', path: 'deploy.sh', first_seen_scan_id: scan.id },
    })
    expect(byType['api_key.revoked']).toMatchObject({
      resource_type: 'api_key',
      resource: {
        id: leaked.record.id,
        revoked_reason: 'leaked',
        found_in: { repository_id: repository.id, scan_id: scan.id },
      },
    })
    for (const request of told) {
      expect(verify(request.headers['vega-signature'] as string, request.body, [created.secret])).toBe(true)
      expect(request.body).not.toContain(leaked.secret.slice(4))
    }
    expect(new Set(told.map((request) => payloadOf(request).id)).size).toBe(4)
    expect((await call(auth, 'GET', '/v1/auth/me', { as: leaked.secret })).status).toBe(401)
  })

  it('tells the API-side events: a dismissal requested, a finding reopened by triage, a key revoked; and respects the severity floor and subscriptions', async () => {
    const owner = await newOwner('hooks-api')
    const own = await ownReceiver()
    await register(owner, own.url, {
      events: ['dismissal.requested', 'finding.reopened', 'api_key.revoked', 'finding.created'],
      min_severity: 'critical',
    })
    const repository = await repositoryOf(owner)
    const critical = codeFinding('src/run.js', { severity: 'critical', text: 'exec(input)' })
    const high = codeFinding('src/eval.js', { severity: 'high', text: 'eval(input)' })
    await succeededScan(repository, [critical, high], ['code'])
    // finding.created for the critical finding only (the floor), and no scan.succeeded (not subscribed).
    const [createdEvent] = await own.waitFor(1)
    expect(payloadOf(createdEvent!)).toMatchObject({ type: 'finding.created', resource: { severity: 'critical' } })
    const findings = (
      await call(repositories, 'GET', `/v1/repositories/${repository.id}/findings`, { as: owner.token })
    ).json.items as { id: string; severity: string }[]
    const criticalId = findings.find((finding) => finding.severity === 'critical')!.id
    const highId = findings.find((finding) => finding.severity === 'high')!.id

    const asked = await call(repositories, 'PATCH', `/v1/repositories/${repository.id}/findings/${criticalId}`, {
      as: owner.token,
      body: { status: 'dismissed', reason: 'false_positive', comment: 'test data' },
    })
    expect(asked.status).toBe(200)
    await call(repositories, 'PATCH', `/v1/repositories/${repository.id}/findings/${highId}`, {
      as: owner.token,
      body: { status: 'dismissed', reason: 'false_positive' },
    })
    await call(repositories, 'PATCH', `/v1/repositories/${repository.id}/findings/${highId}`, {
      as: owner.token,
      body: { status: 'open', comment: 'it is real' },
    })
    const key = await workspaceKey(owner, 'old', ['read'])
    const revoked = await call(apiKeys, 'POST', '/v1/api-keys/revoke', { as: owner.token, body: { key: key.secret } })
    expect(revoked.status).toBe(204)

    const told = (await own.waitFor(4)).map(payloadOf)
    await quietFor(1500)
    expect(own.requests).toHaveLength(4)
    expect(told.slice(1).map((event) => event.type)).toEqual([
      'dismissal.requested',
      'finding.reopened',
      'api_key.revoked',
    ])
    expect(told[1]).toMatchObject({
      resource_type: 'dismissal_request',
      resource: { finding_id: criticalId, repository_id: repository.id, requested_by: owner.userId },
    })
    expect(told[2]).toMatchObject({ resource_type: 'finding', resource: { id: highId, status: 'open' } })
    expect(told[3]).toMatchObject({ resource: { id: key.record.id, revoked_reason: 'revoked', found_in: null } })
  })

  it('sends nothing to a paused endpoint or one not subscribed, and nothing of another workspace', async () => {
    const owner = await newOwner('hooks-quiet')
    const other = await newOwner('hooks-other')
    const own = await ownReceiver()
    const paused = await register(owner, own.url, { active: false })
    await register(owner, own.url, { events: ['scan.failed'] })
    await register(other, own.url, { events: allEvents })

    await succeededScan(await repositoryOf(owner), [codeFinding('a.js', { severity: 'critical' })], ['code'])
    await quietFor(2500)

    expect(own.requests).toEqual([])
    // A ping still reaches a paused endpoint: an admin asked for it.
    await call(webhooks, 'POST', `/v1/webhooks/${paused.id}/ping`, { as: owner.token })
    expect(payloadOf((await own.waitFor(1))[0]!).type).toBe('ping')
  })
})
