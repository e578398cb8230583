// The local API Gateway: a node:http server that resolves each request against the route table, turns
// it into the REST proxy event Lambda would get, invokes the group's handler module, and writes the
// answer back. Gateway-level failures (unknown route, payload limits, timeout) answer with the same
// envelope the deployed Gateway Responses render. The handlers run in this process (the scan worker has
// a thread of its own, lambda-thread.ts); a route marked `streams` is invoked as AWS's STREAM integration
// invokes it, through the group's `streamHandler` and the runtime's response stream (lambda-runtime.ts),
// and each chunk it writes goes to the socket as it comes.
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http'
import type { AddressInfo } from 'node:net'
import { pipeline } from 'node:stream/promises'
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda'
import type { ApiHandler, StreamingHandler } from '../../shared/api/lambda.js'
import { errorResponse, toApiError } from '../../shared/http/envelope.js'
import { ApiError, badRequest, payloadTooLarge, routeNotFound, timeout } from '../../shared/http/errors.js'
import { routeTable } from '../../shared/routes/index.js'
import { createMatcher, type Resolution } from '../../shared/routes/match.js'
import type { Group } from '../../shared/routes/route.js'
import type { Throttle } from '../aws/throttles.js'
import { apiGatewayEvent, lambdaContext } from './event.js'
import { installLambdaRuntime, preludeOf, ResponseStream } from './lambda-runtime.js'

/**
 * API Gateway REST: 10 MB per request body; Lambda: 6 MB per synchronous invocation payload; 29 s per
 * buffered integration. A streamed answer may last 15 minutes, and no more than 5 of them silent (a regional
 * endpoint's idle timeout); past either the gateway cuts the connection.
 */
export const gatewayLimits = {
  maxBodyBytes: 10 * 1024 * 1024,
  maxEventBytes: 6 * 1024 * 1024,
  integrationTimeoutMs: 29_000,
  streamMaxMs: 15 * 60_000,
  streamIdleMs: 5 * 60_000,
}

export interface ApiServerOptions {
  port: number
  host?: string
  /**
   * The stage's token bucket, as API Gateway applies it before any function runs: over it, 429
   * rate_limited with Retry-After. Absent: no throttling (the tests and benchmarks that drive the
   * handlers harder than a stage would allow).
   */
  throttle?: Throttle
  log?: (line: string) => void
}

export interface ApiServer {
  url: string
  port: number
  close(): Promise<void>
}

const resolveRoute = createMatcher(routeTable)
type HandlerModule = { handler: ApiHandler; streamHandler?: StreamingHandler }
const modules = new Map<Group, Promise<HandlerModule>>()

/** The same module Lambda runs for the group: functions/<group>/handler.ts, loaded once like a cold start. */
function moduleOf(group: Group): Promise<HandlerModule> {
  let loading = modules.get(group)
  if (!loading) {
    loading = import(new URL(`../../functions/${group}/handler.ts`, import.meta.url).href)
    modules.set(group, loading)
  }
  return loading
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  // Before any handler module loads, as the runtime sets it up before loading a function's code.
  installLambdaRuntime()
  const admit = options.throttle ? tokenBucket(options.throttle) : () => true
  const server = createServer((request, response) => {
    const arrivedAt = Date.now()
    if (!admit(arrivedAt)) return write(response, errorResponse(throttled(), randomUUID()))
    serve(request, response, arrivedAt).catch((error) => {
      options.log?.(`vega: local gateway failed on ${request.method} ${request.url}: ${(error as Error).message}`)
      if (!response.headersSent) write(response, errorResponse(toApiError(error), randomUUID()))
    })
  })
  // What Node's HTTP parser refuses (an unknown method, headers over 16 KB) never reaches serve(): answer
  // it with the envelope too, as the deployed gateway's responses do, instead of Node's bare 400.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || error.code === 'ECONNRESET') return socket.destroy()
    socket.end(rawResponse(errorResponse(parserError(error), randomUUID())))
  })
  // git sends a whole pack in one request; keep-alive clients expect long-lived sockets.
  server.requestTimeout = 120_000
  server.listen(options.port, options.host ?? '127.0.0.1')
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://localhost:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/** API Gateway's stage throttle: a bucket of burstLimit tokens refilled at rateLimit a second. */
function tokenBucket({ rateLimit, burstLimit }: Throttle) {
  let tokens = burstLimit
  let filledAt = Date.now()
  return (now: number) => {
    tokens = Math.min(burstLimit, tokens + ((now - filledAt) / 1000) * rateLimit)
    filledAt = now
    if (tokens < 1) return false
    tokens -= 1
    return true
  }
}

// The deployed gateway's THROTTLED response (infra/aws/gateway-responses.ts): the envelope, Retry-After 1.
const throttled = () => new ApiError('rate_limited', 'Too many requests', { retry_after_s: 1 }, { 'retry-after': '1' })

async function serve(request: IncomingMessage, response: ServerResponse, arrivedAt: number) {
  const requestId = randomUUID()
  const url = new URL(request.url ?? '/', 'http://localhost')
  const method = request.method ?? 'GET'
  const body = await readBody(request, gatewayLimits.maxBodyBytes)
  if (body === 'too_large') {
    const limit = gatewayLimits.maxBodyBytes
    return write(
      response,
      errorResponse(
        payloadTooLarge("The request body exceeds API Gateway's 10 MB limit", { limit_bytes: limit }),
        requestId,
      ),
    )
  }
  let resolution: Resolution
  try {
    // HEAD reads the GET of the same path (the handler drops the body), as the deployed ANY method does.
    resolution = resolveRoute(method === 'HEAD' ? 'GET' : method, url.pathname)
  } catch (error) {
    return write(response, errorResponse(toApiError(error), requestId))
  }
  if (resolution.kind === 'not_found')
    return write(response, errorResponse(routeNotFound(method, url.pathname), requestId))

  // A wrong method still reaches the resource's group (the deployed API routes it there through ANY),
  // whose dispatcher answers 405 with Allow.
  const event = apiGatewayEvent({
    method,
    path: url.pathname,
    query: url.search.slice(1),
    headers: pairs(request.rawHeaders),
    body,
    sourceIp: request.socket.remoteAddress,
    resource: resolution.resource,
    pathParameters: resolution.kind === 'route' ? resolution.params : undefined,
    requestId,
  })
  const eventBytes = Buffer.byteLength(JSON.stringify(event))
  if (eventBytes > gatewayLimits.maxEventBytes) {
    const error = payloadTooLarge(
      `The request (${eventBytes} bytes once base64-encoded for Lambda) exceeds Lambda's 6 MB invocation payload`,
      { limit_bytes: gatewayLimits.maxEventBytes, alternative: 'upload large inputs to a presigned URL (git bundle)' },
    )
    return write(response, errorResponse(error, requestId))
  }
  const group = resolution.spec.group
  const module = await moduleOf(group)
  if (resolution.kind === 'route' && resolution.spec.streams) {
    if (!module.streamHandler) throw new Error(`functions/${group} has a route marked streams but no streamHandler`)
    const context = lambdaContext(`vega-local-${group}-stream`, requestId, gatewayLimits.streamMaxMs)
    return stream(response, module.streamHandler, event, context)
  }
  // The gateway's 29 s count from the request's arrival, as a client experiences them.
  const leftMs = Math.max(0, gatewayLimits.integrationTimeoutMs - (Date.now() - arrivedAt))
  const context = lambdaContext(`vega-local-${group}`, requestId, leftMs)
  write(response, await withTimeout(module.handler(event, context), requestId, leftMs))
}

/**
 * A STREAM integration: the status and headers once the function's prelude arrives, then each chunk of
 * the body as the function writes it (chunked, no Content-Length). The connection is cut, as the gateway
 * cuts it, after 15 minutes or 5 silent ones; the function runs on, as it does in AWS.
 */
async function stream(
  response: ServerResponse,
  handler: StreamingHandler,
  event: APIGatewayProxyEvent,
  context: Context,
) {
  const output = new ResponseStream()
  const cut = () => response.destroy()
  const total = setTimeout(cut, gatewayLimits.streamMaxMs)
  let idle = setTimeout(cut, gatewayLimits.streamIdleMs)
  void Promise.resolve(handler(event, output as never, context)).then(
    () => void (output.writableEnded || output.end()),
    (error: unknown) => output.destroy(error as Error),
  )
  try {
    const prelude = await preludeOf(output)
    response.writeHead(prelude.statusCode, lowerCased(prelude.headers ?? {}))
    output.on('data', () => {
      clearTimeout(idle)
      idle = setTimeout(cut, gatewayLimits.streamIdleMs)
    })
    await pipeline(output, response)
  } finally {
    clearTimeout(total)
    clearTimeout(idle)
  }
}

const lowerCased = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), String(value)]))

function parserError(error: NodeJS.ErrnoException): ApiError {
  if (error.code === 'HPE_HEADER_OVERFLOW')
    return badRequest('The request headers exceed 16 KB', { limit_bytes: 16 * 1024 })
  if (error.code === 'HPE_INVALID_METHOD') return badRequest('The request method is not an HTTP method Vega knows')
  return badRequest('The request is not valid HTTP/1.1')
}

/** An answer written straight to a socket the HTTP parser gave up on; the connection closes after it. */
function rawResponse(answer: APIGatewayProxyResult): string {
  const body = String(answer.body)
  const headers = { ...answer.headers, 'content-length': String(Buffer.byteLength(body)), connection: 'close' }
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`)
  return `HTTP/1.1 ${answer.statusCode} ${STATUS_CODES[answer.statusCode]}\r\n${lines.join('\r\n')}\r\n\r\n${body}`
}

async function withTimeout(invocation: Promise<APIGatewayProxyResult>, requestId: string, leftMs: number) {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<APIGatewayProxyResult>((resolve) => {
    timer = setTimeout(
      () => resolve(errorResponse(timeout("The handler did not answer within API Gateway's 29 s"), requestId)),
      leftMs,
    )
  })
  try {
    return await Promise.race([invocation, deadline])
  } catch (error) {
    // A handler that throws past middy is what API Gateway reports as a 502; ours answers the envelope.
    return errorResponse(error instanceof ApiError ? error : toApiError(error), requestId)
  } finally {
    clearTimeout(timer)
  }
}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      // Past the limit the rest is read and dropped, so the client gets our 413 rather than a reset.
      if (size <= limit) chunks.push(chunk)
    })
    request.on('end', () => resolve(size > limit ? 'too_large' : Buffer.concat(chunks)))
    request.on('error', reject)
  })
}

function pairs(raw: string[]): [string, string][] {
  const result: [string, string][] = []
  for (let i = 0; i + 1 < raw.length; i += 2) result.push([raw[i]!, raw[i + 1]!])
  return result
}

function write(response: ServerResponse, result: APIGatewayProxyResult) {
  const headers: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = String(value)
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {}))
    headers[name.toLowerCase()] = values.map(String)
  const body = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8')
  headers['content-length'] = String(body.length)
  response.writeHead(result.statusCode, headers)
  response.end(body)
}
