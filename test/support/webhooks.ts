// What the webhook tests share: a real HTTP receiver on 127.0.0.1, a delivery queue of the test file's own
// fed to the real webhook worker by the local SQS event source, and the signature check exactly as
// docs/integrations.md prints it.
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SQSClient } from '@aws-sdk/client-sqs'
import { inject } from 'vitest'
import { handler as webhookWorker } from '../../functions/webhook-worker/handler.js'
import { type Poller, startPoller } from '../../infra/local/poller.js'
import { ensureWebhookQueue, localCredentials, localRegion } from '../../infra/local/resources.js'

export interface Received {
  headers: IncomingHttpHeaders
  body: string
  at: number
}

export interface Receiver {
  url: string
  port: number
  requests: Received[]
  /** How the next requests are answered (default: 200 at once). */
  answer(respond: (request: Received, response: ServerResponse, index: number) => void): void
  /** Waits until `count` requests came (or fails after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>
  close(): Promise<void>
}

export async function startReceiver(): Promise<Receiver> {
  const requests: Received[] = []
  let respond: (request: Received, response: ServerResponse, index: number) => void = (_, response) =>
    response.writeHead(200).end('ok')
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const received = { headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() }
      requests.push(received)
      respond(received, response, requests.length - 1)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hooks/vega`,
    port,
    requests,
    answer: (next) => {
      respond = next
    },
    async waitFor(count, timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs
      while (requests.length < count) {
        if (Date.now() > until) throw new Error(`the receiver got ${requests.length} requests, not ${count}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      return requests.slice(0, count)
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/**
 * A delivery queue of this test file's own, set as WEBHOOK_QUEUE_URL before any handler reads its
 * configuration, and the webhook worker polled from it as Lambda's event source would: other files'
 * deliveries (made under other settings) never reach this file's worker.
 */
export async function ownWebhookQueue(label: string): Promise<{ queueUrl: string; start: () => Poller }> {
  const endpoint = inject('endpoints').sqs
  const client = new SQSClient({ region: localRegion, credentials: localCredentials, endpoint })
  try {
    const queueUrl = await ensureWebhookQueue(client, `${label}-${randomUUID().slice(0, 8)}`)
    process.env.WEBHOOK_QUEUE_URL = queueUrl
    return {
      queueUrl,
      start: () =>
        startPoller({ endpoint, queueUrl, handler: webhookWorker, batchSize: 10, functionName: 'test-webhook-worker' }),
    }
  } finally {
    client.destroy()
  }
}

/**
 * `verifyVegaSignature` as docs/integrations.md prints it ("Verifying a delivery"), taken from the page and
 * run: the documented receiver's logic is what the tests hold deliveries to.
 */
export function documentedVerifier(): (
  header: string | undefined,
  body: string | Buffer,
  secrets: string[],
  toleranceS?: number,
  now?: number,
) => boolean {
  const page = readFileSync(new URL('../../docs/integrations.md', import.meta.url), 'utf8')
  const section = page.slice(page.indexOf('### Verifying a delivery'))
  const code = /```js\n([\s\S]*?)```/.exec(section)?.[1]
  if (!code?.includes('function verifyVegaSignature')) throw new Error('no verification snippet in the docs')
  const body = code.replace(/^import .*$/m, '').replace(/^export /m, '')
  return new Function('createHmac', 'timingSafeEqual', 'Buffer', `${body}\nreturn verifyVegaSignature`)(
    createHmac,
    timingSafeEqual,
    Buffer,
  )
}

/** Polls `read` until `done` holds of its answer (or fails after `timeoutMs`). */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000) {
  const until = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (done(value)) return value
    if (Date.now() > until) throw new Error(`still not there after ${timeoutMs} ms: ${JSON.stringify(value)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
