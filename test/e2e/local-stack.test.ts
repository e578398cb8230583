// Starts the local stack exactly as `npm start` does (the same entry point, as a child process) and
// talks to it over HTTP; then stops it with Ctrl-C and starts it again on the same data folder.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { localCredentials, localRegion } from '../../infra/local/resources.js'
import * as keys from '../../shared/data/keys.js'
import { routeTable } from '../../shared/routes/index.js'

// The names ensureResources gives the default stack (prefix vega).
const names = { table: 'vega-state', bucket: 'vega-uploads' }
const dataDir = mkdtempSync(join(tmpdir(), 'vega-e2e-'))
let ports: { api: number; dynamodb: number; s3: number; sqs: number }
let stack: { child: ChildProcess; output: string[]; readyMs: number } | undefined

/**
 * A free port below the kernel's ephemeral range (32768–60999 here): the stack binds its ports seconds
 * after they are chosen, and an ephemeral one can meanwhile go to any outgoing connection on the machine.
 */
async function steadyPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000)
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer()
      server.once('error', () => resolve(false))
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
    })
    if (free) return port
  }
}

async function startLocalStack() {
  const started = performance.now()
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts'], {
    env: {
      ...process.env,
      PORT: String(ports.api),
      VEGA_DATA_DIR: dataDir,
      VEGA_DYNAMODB_PORT: String(ports.dynamodb),
      VEGA_S3_PORT: String(ports.s3),
      VEGA_SQS_PORT: String(ports.sqs),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const output: string[] = []
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in 60 s:\n${output.join('')}`)), 60_000)
    child.stdout?.on('data', (chunk: Buffer) => {
      output.push(chunk.toString())
      if (output.join('').includes('vega: ready')) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()))
    child.once('exit', (code) => reject(new Error(`exited with ${code} before ready:\n${output.join('')}`)))
  })
  return { child, output, readyMs: performance.now() - started }
}

async function stopLocalStack() {
  if (!stack) return
  const { child } = stack
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  child.kill('SIGINT')
  const code = await exited
  stack = undefined
  return code
}

const api = (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${ports.api}${path}`, init)
const json = async (response: Response): Promise<any> => response.json()

const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(false)
    })
    socket.once('error', () => resolve(true))
  })

/** Sends raw bytes (what fetch would never send) and reads the whole answer until the server closes. */
const rawExchange = (request: string) =>
  new Promise<string>((resolve, reject) => {
    const socket = connect(ports.api, '127.0.0.1')
    const chunks: Buffer[] = []
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.once('end', () => resolve(Buffer.concat(chunks).toString()))
    socket.once('error', reject)
    socket.write(request)
  })

function clients() {
  const common = { region: localRegion, credentials: localCredentials }
  return {
    documents: DynamoDBDocumentClient.from(
      new DynamoDBClient({ ...common, endpoint: `http://127.0.0.1:${ports.dynamodb}` }),
    ),
    s3: new S3Client({ ...common, endpoint: `http://127.0.0.1:${ports.s3}`, forcePathStyle: true }),
  }
}

beforeAll(async () => {
  ports = { api: await steadyPort(), dynamodb: await steadyPort(), s3: await steadyPort(), sqs: await steadyPort() }
  stack = await startLocalStack()
}, 90_000)

afterAll(async () => {
  await stopLocalStack()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('npm start', () => {
  it('prints the base URL, the docs URL and the debug credentials once ready', () => {
    const banner = stack!.output.join('')

    expect(banner).toContain(`http://localhost:${ports.api}/v1`)
    expect(banner).toContain(`http://localhost:${ports.api}/v1/docs`)
    expect(banner).toContain('debug@example.com / vega-debug-password')
  })

  it('serves liveness, readiness with three checks, the 404 envelope, OpenAPI and the docs over HTTP', async () => {
    const health = await api('/v1/healthz')
    const headOnly = await api('/v1/healthz', { method: 'HEAD' })
    const ready = await api('/v1/readyz')
    const nope = await api('/v1/nope')
    const openapi = await api('/v1/openapi.json')
    const docs = await api('/v1/docs')

    expect(health.status).toBe(200)
    expect([headOnly.status, await headOnly.text()]).toEqual([200, ''])
    expect(ready.status).toBe(200)
    expect(Object.keys((await json(ready)).checks).sort()).toEqual(['dynamodb', 's3', 'sqs'])
    expect(nope.status).toBe(404)
    expect(nope.headers.get('x-request-id')).toBeTruthy()
    expect((await json(nope)).error.code).toBe('not_found')
    const operations = Object.values((await json(openapi)).paths as Record<string, object>).flatMap(Object.keys)
    expect(operations).toHaveLength(Object.keys(routeTable).length)
    expect(docs.status).toBe(200)
    expect(await docs.text()).toContain('swagger-ui')
  })

  it('carries binary bodies and the gateway limits of API Gateway and Lambda', async () => {
    const tooBig = await api('/v1/projects', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(5 * 1024 * 1024, 0x20),
    })

    expect(tooBig.status).toBe(413)
    expect((await json(tooBig)).error.details.limit_bytes).toBe(6 * 1024 * 1024)
  })

  it("answers what Node's HTTP parser refuses (an unknown method, 20 kB of headers) with the envelope", async () => {
    const method = await rawExchange('BREW /v1/healthz HTTP/1.1\r\nHost: localhost\r\n\r\n')
    const headers = await rawExchange(
      `GET /v1/healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    )

    for (const [answer, message] of [
      [method, /not an HTTP method/],
      [headers, /headers exceed 16 KB/],
    ] as const) {
      expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/)
      expect(answer).toContain('content-type: application/json')
      const envelope = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))
      expect(envelope).toMatchObject({ schema_version: 1, error: { code: 'bad_request', retryable: false } })
      expect(envelope.error.message).toMatch(message)
      expect(envelope.error.details.request_id).toEqual(expect.any(String))
    }
  })

  it('throttles as the dev stage does (50 a second, bursts of 100): past it 429 with Retry-After, nothing else', async () => {
    const answers = await Promise.all(Array.from({ length: 300 }, () => api('/v1/healthz')))
    const statuses = answers.map((answer) => answer.status)
    const refused = answers.filter((answer) => answer.status === 429)

    expect(statuses.every((status) => status === 200 || status === 429)).toBe(true)
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(100)
    expect(refused.length).toBeGreaterThan(50)
    expect(refused[0]!.headers.get('retry-after')).toBe('1')
    expect(await json(refused[0]!)).toMatchObject({ error: { code: 'rate_limited', retryable: true } })
    // The bucket refills at 50 a second: leave it full for the tests after this one.
    await new Promise((resolve) => setTimeout(resolve, 2_500))
  })

  it('keeps a table item, an S3 object and the debug user across Ctrl-C and a new start', async () => {
    const before = clients()
    await before.documents.send(
      new PutCommand({ TableName: names.table, Item: { ...keys.probe('e2e'), note: 'kept' } }),
    )
    await before.s3.send(new PutObjectCommand({ Bucket: names.bucket, Key: 'uploads/e2e.txt', Body: 'kept too' }))
    const debugUser = await before.documents.send(
      new GetCommand({ TableName: names.table, Key: keys.userEmail('debug@example.com') }),
    )
    before.documents.destroy()
    before.s3.destroy()

    const exitCode = await stopLocalStack()
    expect(exitCode).toBe(0)
    for (const port of Object.values(ports)) expect(await refused(port), `port ${port} still open`).toBe(true)
    stack = await startLocalStack()

    const after = clients()
    const item = await after.documents.send(new GetCommand({ TableName: names.table, Key: keys.probe('e2e') }))
    const object = await after.s3.send(new GetObjectCommand({ Bucket: names.bucket, Key: 'uploads/e2e.txt' }))
    const debugAgain = await after.documents.send(
      new GetCommand({ TableName: names.table, Key: keys.userEmail('debug@example.com') }),
    )
    expect(item.Item?.note).toBe('kept')
    expect(await object.Body?.transformToString()).toBe('kept too')
    expect(debugAgain.Item?.user_id).toBe(debugUser.Item?.user_id)
    expect((await api('/v1/readyz')).status).toBe(200)
  }, 120_000)

  it('leaves no emulator behind when the process dies of an error', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/crashing-stack.ts'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk
    })
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
    const pids = (/pids ([\d ]+)/.exec(out)?.[1] ?? '').trim().split(' ').map(Number)

    const alive = (pid: number) => {
      try {
        process.kill(pid, 0)
        return true
      } catch {
        return false
      }
    }
    // SIGKILLed children linger a moment as zombies until init reaps them.
    for (let i = 0; i < 50 && pids.some(alive); i++) await new Promise((resolve) => setTimeout(resolve, 100))
    const dataDir = /^data (.+)$/m.exec(out)?.[1]
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })

    expect(code).not.toBe(0)
    expect(pids).toHaveLength(2)
    expect(pids.filter(alive)).toEqual([])
  }, 60_000)
})
