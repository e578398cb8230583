// A stage that does not allow local targets (as every deployed stage): endpoints must be https and public,
// when registered and again when each attempt resolves the name (DNS rebinding). Its own worker and queue.
process.env.STAGE = 'dev'
process.env.WEBHOOK_ALLOW_LOCAL_TARGETS = 'false'
process.env.WEBHOOK_TIMEOUT_MS = '700'
process.env.WEBHOOK_RETRY_BASE_S = '1'
process.env.WEBHOOK_RETRY_FOR_S = '1'

import { lookup } from 'node:dns/promises'
import { hostname } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { handler as webhooks } from '../../functions/webhooks/handler.js'
import type { Poller } from '../../infra/local/poller.js'
import { config } from '../../shared/config.js'
import { seal } from '../../shared/crypto/sealed.js'
import { createWebhook, type WebhookRecord } from '../../shared/data/webhooks.js'
import { ErrorEnvelope } from '../../shared/http/envelope-schema.js'
import { newId } from '../../shared/ids.js'
import { isLocalAddress } from '../../shared/webhooks/address.js'
import * as z from '../../shared/zod.js'
import { call, newOwner, type Person } from '../support/identity.js'
import { eventually, ownWebhookQueue, type Receiver, startReceiver } from '../support/webhooks.js'

const queue = await ownWebhookQueue('webhooks-strict')
let poller: Poller
let receiver: Receiver

beforeAll(async () => {
  poller = queue.start()
  receiver = await startReceiver()
})
afterAll(async () => {
  await poller?.stop()
  await receiver?.close()
})

const register = (owner: Person, url: string) =>
  call(webhooks, 'POST', '/v1/webhooks', { as: owner.token, body: { url, events: ['scan.failed'] } })

/** An endpoint stored as if its name had resolved to a public address when it was registered. */
async function storedEndpoint(owner: Person, url: string): Promise<WebhookRecord> {
  const id = newId('webhook')
  const now = new Date().toISOString()
  const record: WebhookRecord = {
    id,
    workspace_id: owner.workspaceId,
    url,
    description: '',
    events: ['scan.failed'],
    min_severity: 'info',
    active: true,
    secret_sealed: await seal('whsec_test', id),
    previous_secret_sealed: null,
    previous_secret_expires_at: null,
    created_by: owner.userId,
    created_at: now,
    updated_at: now,
  }
  expect(await createWebhook(record)).toBe('created')
  return record
}

describe('a stage without local targets', () => {
  it('is the configuration under test', () => {
    expect(config().WEBHOOK_ALLOW_LOCAL_TARGETS).toBe(false)
  })

  it('refuses http, credentials and every local address or name at registration, naming body.url', async () => {
    const owner = await newOwner('strict')
    const refused = [
      'http://hooks.example.com/vega',
      'https://user:pass@hooks.example.com/vega',
      'https://localhost/vega',
      'https://api.localhost/vega',
      `https://127.0.0.1:${receiver.port}/vega`,
      'https://10.0.0.8/vega',
      'https://172.20.1.1/vega',
      'https://192.168.1.20/vega',
      'https://100.100.1.1/vega',
      'https://169.254.169.254/latest/meta-data/',
      'https://0.0.0.0/vega',
      'https://[::1]/vega',
      'https://[fd00::1]/vega',
      'https://[fe80::1]/vega',
      'https://[::ffff:127.0.0.1]/vega',
      'https://[::ffff:a9fe:a9fe]/vega',
      'ftp://hooks.example.com/vega',
    ]

    for (const url of refused) {
      const answer = await register(owner, url)
      expect([url, answer.status]).toEqual([url, 422])
      expect(z.safeParse(ErrorEnvelope, answer.json).success).toBe(true)
      expect(answer.json.error.details.issues.map((issue: { path: string }) => issue.path)).toEqual(['body.url'])
    }
    // A public address, and a name that does not resolve here (accepted: each delivery resolves it again).
    expect((await register(owner, 'https://93.184.215.14/vega')).status).toBe(201)
    const named = await register(owner, 'https://hooks.example.com/vega')
    expect(named.status).toBe(201)
    const moved = await call(webhooks, 'PATCH', `/v1/webhooks/${named.json.id}`, {
      as: owner.token,
      body: { url: 'https://127.0.0.1/vega' },
    })
    expect(moved.status).toBe(422)
    expect((await call(webhooks, 'GET', `/v1/webhooks/${named.json.id}`, { as: owner.token })).json.url).toBe(
      'https://hooks.example.com/vega',
    )
  })

  it('resolves the name again at delivery and never connects to a local address (DNS rebinding)', async () => {
    const owner = await newOwner('strict-rebind')
    // The machine's own name: an ordinary name (nothing in it says local) that resolves to a local address.
    const name = hostname()
    const addresses = await lookup(name, { all: true })
    expect(addresses.length).toBeGreaterThan(0)
    expect(addresses.every((found) => isLocalAddress(found.address))).toBe(true)
    const url = `https://${name}:${receiver.port}/vega`
    // Refused at registration, where it resolves as it does now…
    const registered = await register(owner, url)
    expect(registered.status).toBe(422)
    expect(registered.json.error.details.issues[0].message).toMatch(/resolve/)
    // …and as if it had resolved to a public address when it was registered, and says local now.
    const endpoint = await storedEndpoint(owner, url)

    const pinged = await call(webhooks, 'POST', `/v1/webhooks/${endpoint.id}/ping`, { as: owner.token })

    expect(pinged.status).toBe(202)
    const done = await eventually(
      () => call(webhooks, 'GET', `/v1/webhooks/${endpoint.id}/deliveries/${pinged.json.id}`, { as: owner.token }),
      (answer) => answer.json.status !== 'pending',
    )
    expect(done.json.status).toBe('failed')
    expect(done.json.attempts[0]).toMatchObject({ status_code: null, error: 'forbidden_address' })
    expect(receiver.requests).toEqual([])
  })

  it('refuses a stored local address literal and a stored http URL at delivery too', async () => {
    const owner = await newOwner('strict-literal')
    const literal = await storedEndpoint(owner, `https://127.0.0.1:${receiver.port}/vega`)
    const plain = await storedEndpoint(owner, `http://127.0.0.1:${receiver.port}/vega`)

    const first = await call(webhooks, 'POST', `/v1/webhooks/${literal.id}/ping`, { as: owner.token })
    const second = await call(webhooks, 'POST', `/v1/webhooks/${plain.id}/ping`, { as: owner.token })

    for (const [endpoint, pinged, error] of [
      [literal, first, 'forbidden_address'],
      [plain, second, 'invalid_url'],
    ] as const) {
      const done = await eventually(
        () => call(webhooks, 'GET', `/v1/webhooks/${endpoint.id}/deliveries/${pinged.json.id}`, { as: owner.token }),
        (answer) => answer.json.status !== 'pending',
      )
      expect(done.json.attempts[0]).toMatchObject({ status_code: null, error })
    }
    expect(receiver.requests).toEqual([])
  })
})
