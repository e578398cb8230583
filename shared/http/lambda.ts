// lambda(): the one way a group's handler is built. It dispatches by the route table, parses params,
// query and body with the route's zod schemas, calls the route's function, and writes its answer.
// Handlers receive parsed input and throw ApiErrors; they never build a response or an error body.
import middy from '@middy/core'
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda'
import type { z } from 'zod'
import { routeTable } from '../routes/index.js'
import { createMatcher } from '../routes/match.js'
import type { RouteSpec, RouteTable } from '../routes/route.js'
import { zodIssues } from './envelope.js'
import {
  ApiError,
  badRequest,
  methodNotAllowed,
  notImplemented,
  payloadTooLarge,
  routeNotFound,
  unsupportedMediaType,
  validationFailed,
} from './errors.js'
import { accessLog, deprecationNotice, errorEnvelope, headerOf, requestId, type VegaContext } from './middleware.js'
import { Reply } from './reply.js'

type Parsed<R, K extends string> = R extends { [P in K]: infer S extends z.ZodType } ? z.output<S> : undefined
type Result<R> = R extends { status: 204 }
  ? undefined | Reply
  : R extends { ok: infer S extends z.ZodType }
    ? z.input<S> | Reply
    : Reply

export interface HttpRequest<R extends RouteSpec = RouteSpec> {
  routeId: string
  params: Parsed<R, 'params'>
  query: Parsed<R, 'query'>
  body: Parsed<R, 'body'>
  /** The body as sent, for routes that consume something other than JSON (the git protocol). */
  rawBody: Buffer
  /** Request headers, names in lower case. */
  headers: Record<string, string>
  requestId: string
  context: VegaContext
}

/** What the Lambda runtime (or the local gateway) calls; middy's third argument is optional at run time. */
export type ApiHandler = (
  event: APIGatewayProxyEvent,
  context: Context,
  middyOptions?: { signal: AbortSignal },
) => Promise<APIGatewayProxyResult>

type AnyRequest = Omit<HttpRequest, 'params' | 'query' | 'body'> & { params: unknown; query: unknown; body: unknown }

export type Handlers<T extends RouteTable> = {
  [K in keyof T]: (request: HttpRequest<T[K]>) => Promise<Result<T[K]>> | Result<T[K]>
}

/** The implementation of a route whose issue has not landed: 501 with the envelope, never a silent 404. */
export const notBuilt = (request: { routeId: string }): never => {
  throw notImplemented(request.routeId)
}

// JSON bodies are small: the biggest legitimate ones (SARIF, advisories) set their own maxBodyBytes.
export const defaultMaxJsonBytes = 256 * 1024

const matchAnyRoute = createMatcher(routeTable)

export function lambda<T extends RouteTable>(routes: T, handlers: Handlers<T>): ApiHandler {
  const byResource = new Map<string, { routeId: string; spec: RouteSpec }>()
  for (const [routeId, spec] of Object.entries(routes)) byResource.set(`${spec.method} ${spec.path}`, { routeId, spec })
  const implementations = handlers as unknown as Record<string, (request: AnyRequest) => unknown>

  async function dispatch(event: APIGatewayProxyEvent, context: VegaContext): Promise<APIGatewayProxyResult> {
    const { routeId, spec, pathParams } = resolve(event, byResource)
    context.routeId = routeId
    context.deprecated = spec.deprecated
    const request: AnyRequest = {
      routeId,
      params: parsePathParams(spec, pathParams),
      query: parseQuery(spec, event),
      body: undefined,
      rawBody: rawBodyOf(event),
      headers: lowerCaseHeaders(event),
      requestId: context.requestId,
      context,
    }
    request.body = parseBody(spec, request)
    const result = await implementations[routeId]!(request)
    return toResponse(spec, result)
  }

  const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, VegaContext>()
    .use(requestId())
    .use(accessLog())
    .use(deprecationNotice())
    .use(errorEnvelope())
    .handler(dispatch)
  // The runtime passes a plain Context; requestId() fills in the Vega fields before anything reads them.
  return (event, context) => handler(event, context as VegaContext)
}

/**
 * API Gateway names the matched resource in the event, so dispatch is a lookup. When the resource is
 * not one of this group's (a wrong method sent to the ANY fallback, or an unknown path), the whole
 * table decides between 405 with Allow and 404.
 */
function resolve(event: APIGatewayProxyEvent, byResource: Map<string, { routeId: string; spec: RouteSpec }>) {
  const direct = byResource.get(`${event.httpMethod} ${event.resource}`)
  if (direct) return { ...direct, pathParams: event.pathParameters ?? {} }
  const resolution = matchAnyRoute(event.httpMethod, event.path)
  if (resolution.kind === 'method_not_allowed') throw methodNotAllowed(event.httpMethod, event.path, resolution.allow)
  if (resolution.kind === 'route') {
    const own = byResource.get(`${resolution.spec.method} ${resolution.spec.path}`)
    if (own) return { ...own, pathParams: resolution.params }
  }
  throw routeNotFound(event.httpMethod, event.path)
}

function parsePathParams(spec: RouteSpec, raw: Record<string, string | undefined>): unknown {
  if (!spec.params) return undefined
  const parsed = spec.params.safeParse(raw)
  if (parsed.success) return parsed.data
  // A malformed id names nothing that exists: the same 404 as an unknown one, and nothing echoed back.
  throw new ApiError('not_found', `No such resource at ${spec.path}`)
}

function parseQuery(spec: RouteSpec, event: APIGatewayProxyEvent): unknown {
  if (!spec.query) return undefined
  const query: Record<string, string> = {}
  for (const [name, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
    if (!values?.length) continue
    if (values.length > 1) throw badRequest(`Query parameter ${name.slice(0, 64)} is given more than once`)
    query[name] = values[0]!
  }
  const parsed = spec.query.safeParse(query)
  if (!parsed.success) throw validationFailed(zodIssues(parsed.error, ['query']))
  return parsed.data
}

function rawBodyOf(event: APIGatewayProxyEvent): Buffer {
  if (!event.body) return Buffer.alloc(0)
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8')
}

function parseBody(spec: RouteSpec, request: AnyRequest): unknown {
  if (!spec.body) return undefined
  const { rawBody, headers } = request
  const encoding = headers['content-encoding']
  if (encoding && encoding !== 'identity')
    throw unsupportedMediaType(`Content-Encoding ${encoding.slice(0, 32)} is not accepted`)
  const limit = spec.maxBodyBytes ?? defaultMaxJsonBytes
  if (rawBody.length > limit) {
    throw payloadTooLarge(`The body is ${rawBody.length} bytes; this route accepts at most ${limit}`, {
      limit_bytes: limit,
    })
  }
  let json: unknown = {}
  if (rawBody.length > 0) {
    const type = headers['content-type']?.split(';')[0]?.trim().toLowerCase()
    if (type !== 'application/json' && !type?.endsWith('+json')) {
      throw badRequest('This route takes a JSON body: send Content-Type: application/json')
    }
    try {
      json = JSON.parse(rawBody.toString('utf8'))
    } catch {
      throw badRequest('The body is not valid JSON')
    }
  }
  const parsed = spec.body.safeParse(json)
  if (!parsed.success) throw validationFailed(zodIssues(parsed.error, ['body']))
  return parsed.data
}

function lowerCaseHeaders(event: APIGatewayProxyEvent): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(event.headers ?? {}))
    if (value !== undefined) headers[name.toLowerCase()] = value
  return headers
}

function toResponse(spec: RouteSpec, result: unknown): APIGatewayProxyResult {
  if (result instanceof Reply) {
    const binary = result.body instanceof Uint8Array
    return {
      statusCode: result.status,
      headers: result.headers,
      body: binary ? Buffer.from(result.body as Uint8Array).toString('base64') : (result.body ?? ''),
      isBase64Encoded: binary,
    }
  }
  if (spec.status === 204) return { statusCode: 204, headers: {}, body: '' }
  // Parsing the answer through the route's schema keeps internal attributes (keys, hashes) out of it.
  const body = spec.ok ? spec.ok.parse(result) : result
  return {
    statusCode: spec.status ?? 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }
}

export { headerOf }
