// The middy middlewares every handler runs, in this order: request id, access log, error envelope.
// middy runs `after` and `onError` in reverse order, so the envelope is written before the access log
// reads the status, and the request id (with the other headers every answer carries) is added last.
import type { MiddlewareObj, Request } from '@middy/core'
import type { APIGatewayProxyEvent, Context } from 'aws-lambda'
import { config } from '../config.js'
import { type RequestLog, requestLog } from '../log.js'
import { errorResponse, toApiError } from './envelope.js'
import type { ApiResult } from './reply.js'

export interface VegaContext extends Context {
  requestId: string
  startedAt: number
  log: RequestLog
  routeId?: string
  /** Headers for every answer of this request, errors included: rate limits, deprecation. */
  responseHeaders: Record<string, string>
  /** Who is calling, for the access log (never a token or a key). */
  principalId?: string
}
type HttpRequest = Request<APIGatewayProxyEvent, ApiResult, Error, VegaContext>

/** A configured dashboard origin may read answers and the headers that matter to it; others get nothing. */
function corsHeaders(origin: string | undefined): Record<string, string> {
  if (!origin || !config().CORS_ALLOWED_ORIGINS.includes(origin)) return {}
  return {
    'access-control-allow-origin': origin,
    'access-control-expose-headers':
      'x-request-id, etag, link, retry-after, x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset, deprecation, sunset, vega-totals',
    vary: 'Origin',
  }
}

// A client's id is echoed only when it is short and plain, so it cannot smuggle anything into logs.
const clientRequestId = /^[\w.:-]{1,128}$/

export function requestId(): MiddlewareObj<APIGatewayProxyEvent, ApiResult, Error, VegaContext> {
  const stamp = (request: HttpRequest) => {
    if (!request.response) return
    const own = request.response.headers ?? {}
    const shared = request.context.responseHeaders
    // Vary lists every header the answer depends on: the route's (Accept, Authorization) and CORS's Origin.
    const vary = [own.vary, shared.vary].filter(Boolean).join(', ')
    request.response.headers = {
      ...own,
      ...shared,
      ...(vary ? { vary } : {}),
      'x-request-id': request.context.requestId,
    }
  }
  return {
    before: (request) => {
      const given = headerOf(request.event, 'x-request-id')
      const id = given && clientRequestId.test(given) ? given : request.event.requestContext.requestId
      request.context.requestId = id
      request.context.startedAt = performance.now()
      request.context.responseHeaders = corsHeaders(headerOf(request.event, 'origin'))
      request.context.log = requestLog({ request_id: id })
    },
    after: stamp,
    onError: stamp,
  }
}

/** For a streamed answer, the line is written when its status and headers go, not when its body ends. */
export function accessLog(): MiddlewareObj<APIGatewayProxyEvent, ApiResult, Error, VegaContext> {
  const write = (request: HttpRequest) => {
    const { context, event, response } = request
    const status = response?.statusCode ?? 500
    const fields = {
      route: context.routeId ?? null,
      principal: context.principalId ?? null,
      method: event.httpMethod,
      resource: event.resource,
      status,
      duration_ms: Math.round((performance.now() - context.startedAt) * 100) / 100,
    }
    if (status >= 500) context.log.warn('request failed', fields)
    else context.log.info('request', fields)
  }
  return { after: write, onError: write }
}

export function errorEnvelope(): MiddlewareObj<APIGatewayProxyEvent, ApiResult, Error, VegaContext> {
  return {
    onError: (request) => {
      const error = toApiError(request.error)
      // The real cause of a 500 is logged with its stack and never returned (DESIGN.md "Errors").
      if (error.code === 'internal') request.context.log.error('unhandled error', request.error)
      request.response = errorResponse(error, request.context.requestId ?? request.event.requestContext.requestId)
    },
  }
}

/** Header lookup that does not care how the client spelt the name. */
export function headerOf(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase()
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value
  }
  return undefined
}
