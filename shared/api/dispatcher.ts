// The dispatcher every group's handler is built on: it resolves the request among the group's own
// routes, parses params, query and body with the route's schemas, calls the route's function, and writes
// its answer. Handlers receive parsed input and throw ApiErrors; they never build a response or an error
// body. What callers with credentials need (who calls, roles) comes in as a `Credentials`, so a group of
// public routes (lambda.ts or public-lambda.ts) bundles none of it; what lists add (signed cursors, the
// next page's Link, validators: lists.ts) and Idempotency-Key come in the options of a group whose routes
// use them, so a group without lists or idempotent routes bundles neither.
import { Readable } from 'node:stream'
import middy from '@middy/core'
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda'
import type { Actor } from '../auth/principal.js'
import { publicUrl } from '../config.js'
import type { Page, PageRequest, StartKey } from '../data/db.js'
import { zodIssues } from '../http/envelope.js'
import {
  ApiError,
  badRequest,
  methodNotAllowed,
  notImplemented,
  payloadTooLarge,
  routeNotFound,
  unauthorized,
  unsupportedMediaType,
  validationFailed,
} from '../http/errors.js'
import { accessLog, errorEnvelope, requestId, type VegaContext } from '../http/middleware.js'
import { textIssues } from '../http/plain-text.js'
import { type ApiResult, isStreamed, Reply, whole } from '../http/reply.js'
import type { WorkspaceId } from '../ids.js'
import { createMatcher } from '../routes/match.js'
import type { Role, RouteSpec, RouteTable } from '../routes/route.js'
import * as z from '../zod.js'

type Parsed<R, K extends string> = R extends { [P in K]: infer S extends z.core.$ZodType } ? z.output<S> : undefined
type Result<R> = R extends { status: 204 }
  ? undefined | Reply
  : R extends { ok: infer S extends z.core.$ZodType }
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
  sourceIp: string
  context: VegaContext
  /** The caller; always there on routes with auth 'user'. */
  actor: R extends { auth: 'user' } ? Actor : Actor | undefined
  /** Checks the caller holds the route's role in a workspace; `hidden` is the 404 to throw if not a member. */
  authorize(workspace: WorkspaceId, hidden?: () => ApiError): Promise<Role>
  /** The page this request asks for (from ?limit and a verified ?cursor). */
  page: PageRequest
  /** A list answer: the items and a cursor to the next page, bound to this caller and query. */
  paged<T>(page: Page<T>): Promise<{ items: T[]; next_cursor: string | null }>
}

/** What the Lambda runtime (or the local gateway) calls; middy's third argument is optional at run time. */
export type ApiHandler = (
  event: APIGatewayProxyEvent,
  context: Context,
  middyOptions?: { signal: AbortSignal },
) => Promise<APIGatewayProxyResult>

type AnyRequest = Omit<HttpRequest, 'params' | 'query' | 'body' | 'actor'> & {
  params: unknown
  query: unknown
  body: unknown
  actor: Actor | undefined
}

export type Handlers<T extends RouteTable> = {
  [K in keyof T]: (request: HttpRequest<T[K]>) => Promise<Result<T[K]>> | Result<T[K]>
}

/** Who calls and what they may do: what routes that take credentials need from the layers below. */
export interface Credentials {
  /** The caller of a route with auth `user` or `optional` (counted against its rate limit); else undefined. */
  authenticate(spec: RouteSpec, headers: Record<string, string>, context: VegaContext): Promise<Actor | undefined>
  requireRole(actor: Actor, workspace: WorkspaceId, role: Role, hidden?: () => ApiError, keyRole?: Role): Promise<Role>
  principalId(actor: Actor): string
}

/**
 * What list routes add (lists.ts): signed cursors bound to the caller, route and filters, the Link to the
 * next page, and the validators (ETag, Cache-Control, 304) that list answers and routes with `validators`
 * carry. What a group needs whose routes page (`?cursor=`) or validate.
 */
export interface Lists {
  binding(routeId: string, principal: string | undefined, params: unknown, query: unknown): string
  decodeCursor(cursor: string, binding: string): Promise<StartKey>
  encodeCursor(key: StartKey, binding: string): Promise<string>
  nextPageUrl(
    spec: RouteSpec,
    pathParams: Record<string, string | undefined>,
    event: APIGatewayProxyEvent,
    cursor: string,
  ): string
  withValidators(
    spec: RouteSpec,
    response: APIGatewayProxyResult,
    next: string | null,
    headers: Record<string, string>,
    context: VegaContext,
  ): APIGatewayProxyResult
}

/** Idempotency-Key replays: what a group needs that has an `idempotent` route. */
export interface Idempotency {
  idempotent(
    scope: { principal: string; routeId: string; key: string; request: string },
    run: () => Promise<APIGatewayProxyResult>,
    shownOnce?: readonly string[],
  ): Promise<APIGatewayProxyResult>
}

export interface DispatchOptions {
  /** Deprecation, Sunset and Link: what every answer of the group's deprecated routes carries. */
  deprecation?: Record<string, string>
  /** Needed (and checked at import) when a route of the group takes `?cursor=` or has `validators`. */
  lists?: Lists
  /** Needed (and checked at import) when a route of the group is `idempotent`. */
  idempotency?: Idempotency
}

/** The implementation of a route whose issue has not landed: 501 with the envelope, never a silent 404. */
export const notBuilt = (request: { routeId: string }): never => {
  throw notImplemented(request.routeId)
}

// JSON bodies are small: the biggest legitimate ones (SARIF, advisories) set their own maxBodyBytes.
export const defaultMaxJsonBytes = 256 * 1024

/** The group's handler, as Lambda invokes it by default: the whole answer at once (a streamed body read to its end). */
export function dispatcher<T extends RouteTable>(
  routes: T,
  handlers: Handlers<T>,
  credentials: Credentials,
  options: DispatchOptions = {},
): ApiHandler {
  const answer = dispatchChain(routes, handlers, credentials, options)
  return async (event, context, middyOptions) => whole(await answer(event, context, middyOptions))
}

/**
 * What a group's handler answers, before an invocation mode shapes it: a buffered one (dispatcher) or a
 * streaming one (streaming.ts). Its body is a stream when a route's handler answered `Reply.stream`.
 */
export function dispatchChain<T extends RouteTable>(
  routes: T,
  handlers: Handlers<T>,
  credentials: Credentials,
  options: DispatchOptions = {},
): (event: APIGatewayProxyEvent, context: Context, middyOptions?: { signal: AbortSignal }) => Promise<ApiResult> {
  const byResource = new Map<string, { routeId: string; spec: RouteSpec }>()
  for (const [routeId, spec] of Object.entries(routes)) byResource.set(`${spec.method} ${spec.path}`, { routeId, spec })
  const matchOwnRoute = createMatcher(routes)
  const implementations = handlers as unknown as Record<string, (request: AnyRequest) => unknown>
  const locations = locationPaths(routes)
  if (Object.values(routes).some((spec) => spec.deprecated) && !options.deprecation)
    throw new Error('deprecated routes need their deprecation headers (DispatchOptions.deprecation)')
  const { lists, idempotency } = options
  for (const [routeId, spec] of Object.entries(routes)) {
    if ((queryNames(spec)?.has('cursor') || spec.validators) && !lists)
      throw new Error(`${routeId} pages or validates: its group needs the lists option`)
    if (spec.idempotent && !idempotency)
      throw new Error(`${routeId} is idempotent: its group needs the idempotency option`)
  }

  async function dispatch(event: APIGatewayProxyEvent, context: VegaContext): Promise<ApiResult> {
    const { routeId, spec, pathParams } = resolve(event, byResource, matchOwnRoute)
    context.routeId = routeId
    if (spec.deprecated) Object.assign(context.responseHeaders, options.deprecation)
    const headers = lowerCaseHeaders(event)
    // Who calls is settled before the input is read: an anonymous caller learns nothing from validation.
    const actor = await credentials.authenticate(spec, headers, context)
    const params = parsePathParams(spec, pathParams)
    const query = parseQuery(spec, event)
    // What a cursor is valid for: this caller, route, path and filters (a group without lists has none).
    const binding = lists ? lists.binding(routeId, actor && credentials.principalId(actor), params, query) : ''
    const { limit = 50, cursor } = (query ?? {}) as { limit?: number; cursor?: string }
    const roles = new Map<WorkspaceId, Promise<Role>>()
    // Set when the handler answers a page: the answer then carries Link (rel="next") and a validator.
    let list: { next: string | null } | undefined
    const request: AnyRequest = {
      routeId,
      params,
      query,
      body: undefined,
      rawBody: rawBodyOf(event),
      headers,
      requestId: context.requestId,
      sourceIp: event.requestContext.identity?.sourceIp ?? 'unknown',
      context,
      actor,
      authorize: (workspace, hidden) => {
        if (!actor) throw unauthorized()
        // Once per workspace and request, however many times the route and its handler ask.
        const known = roles.get(workspace)
        if (known) return known
        // The key's scope was checked before; on a route whose scope grants its role, it is the grant.
        const keyRole = spec.scopeGrants ? spec.role : undefined
        const role = credentials.requireRole(actor, workspace, spec.role ?? 'viewer', hidden, keyRole)
        roles.set(workspace, role)
        return role
      },
      page: { limit, startKey: cursor ? await lists!.decodeCursor(cursor, binding) : undefined },
      paged: async ({ items, lastKey }) => {
        const next_cursor = lastKey ? await lists!.encodeCursor(lastKey as StartKey, binding) : null
        list = { next: next_cursor && lists!.nextPageUrl(spec, pathParams, event, next_cursor) }
        return { items, next_cursor }
      },
    }
    request.body = parseBody(spec, request)
    // A route declared to act on the workspace in its path is authorized here; a route with a role on a
    // resource calls authorize() once it knows the resource's workspace, and answers only if it did.
    if (spec.role && spec.actsOn === 'workspace') await request.authorize((params as { id: string }).id as WorkspaceId)
    const run = async () => {
      const answer = await implementations[routeId]!(request)
      if (spec.role && roles.size === 0)
        throw new Error(`route ${routeId} answered without checking the caller's ${spec.role} role`)
      const response = toResponse(routeId, spec, locations, request.params, answer)
      return (list || spec.validators) && !isStreamed(response)
        ? lists!.withValidators(spec, response, list?.next ?? null, headers, context)
        : response
    }
    const idempotencyKey = headers['idempotency-key']
    if (!spec.idempotent || idempotencyKey === undefined || !actor) return run()
    const sent = JSON.stringify([params ?? null, request.rawBody.toString('base64')])
    const scope = { principal: credentials.principalId(actor), routeId, key: idempotencyKey, request: sent }
    return idempotency!.idempotent(scope, async () => whole(await run()), spec.shownOnce)
  }

  const handler = middy<APIGatewayProxyEvent, ApiResult, Error, VegaContext>()
    .use(requestId())
    .use(accessLog())
    .use(errorEnvelope())
    .handler(dispatch)
  // The runtime passes a plain Context; requestId() fills in the Vega fields before anything reads them.
  // HEAD is every GET without its body (HTTP's rule), so `curl -I` reads an ETag or a status cheaply.
  return async (event, context) => {
    if (event.httpMethod !== 'HEAD') return handler(event, context as VegaContext)
    const answer = await whole(await handler({ ...event, httpMethod: 'GET' }, context as VegaContext))
    const length = Buffer.byteLength(answer.body ?? '', answer.isBase64Encoded ? 'base64' : 'utf8')
    return {
      ...answer,
      headers: { ...answer.headers, 'content-length': String(length) },
      body: '',
      isBase64Encoded: false,
    }
  }
}

/** The path each route's `Location` fills in: its target's, a route of this group or one named with its path. */
function locationPaths(routes: RouteTable): Map<string, string> {
  const paths = new Map<string, string>()
  for (const [routeId, spec] of Object.entries(routes)) {
    if (!spec.location) continue
    const path = spec.location.path ?? routes[spec.location.route]?.path
    if (!path) throw new Error(`${routeId}: its Location names ${spec.location.route}, not a route of its group`)
    paths.set(routeId, path)
  }
  return paths
}

/**
 * API Gateway names the matched resource in the event, so dispatch is a lookup. A resource of this group
 * with another method (the ANY method of each resource sends it here) is 405 with Allow; anything else is
 * 404. Every path belongs to one group (test/unit/route-table.test.ts), so the group's own routes decide.
 */
function resolve(
  event: APIGatewayProxyEvent,
  byResource: Map<string, { routeId: string; spec: RouteSpec }>,
  matchOwnRoute: ReturnType<typeof createMatcher>,
) {
  const direct = byResource.get(`${event.httpMethod} ${event.resource}`)
  if (direct) return { ...direct, pathParams: event.pathParameters ?? {} }
  const resolution = matchOwnRoute(event.httpMethod, event.path)
  if (resolution.kind === 'method_not_allowed') {
    const allow = resolution.allow.includes('GET') ? [...resolution.allow, 'HEAD'] : resolution.allow
    throw methodNotAllowed(event.httpMethod, event.path, allow)
  }
  if (resolution.kind === 'route') {
    const own = byResource.get(`${resolution.spec.method} ${resolution.spec.path}`)
    if (own) return { ...own, pathParams: resolution.params }
  }
  throw routeNotFound(event.httpMethod, event.path)
}

function parsePathParams(spec: RouteSpec, raw: Record<string, string | undefined>): unknown {
  if (!spec.params) return undefined
  const parsed = z.safeParse(spec.params, raw)
  if (parsed.success) return parsed.data
  // A malformed id names nothing that exists: the same 404 as an unknown one, and nothing echoed back.
  throw new ApiError('not_found', `No such resource at ${spec.path}`)
}

function parseQuery(spec: RouteSpec, event: APIGatewayProxyEvent): unknown {
  const sent = Object.entries(event.multiValueQueryStringParameters ?? {}).filter(([, values]) => values?.length)
  // A misspelt or misplaced parameter (`?workspace_id=` where the route takes none) would otherwise be
  // silently ignored, and the client would read an answer to a question it did not ask.
  const known = queryNames(spec)
  const unknown = known ? sent.map(([name]) => name).filter((name) => !known.has(name)) : []
  if (unknown.length)
    throw badRequest(
      `Unknown query parameter${unknown.length > 1 ? 's' : ''}: ${unknown.map((name) => name.slice(0, 64)).join(', ')}`,
      {
        unknown: unknown.slice(0, 20).map((name) => name.slice(0, 64)),
        accepted: [...(known ?? [])],
      },
    )
  if (!spec.query) return undefined
  const query: Record<string, string> = {}
  for (const [name, values] of sent) {
    if (values!.length > 1) throw badRequest(`Query parameter ${name.slice(0, 64)} is given more than once`)
    query[name] = values![0]!
  }
  const notText = textIssues(query, ['query'])
  if (notText.length) throw validationFailed(notText)
  const parsed = z.safeParse(spec.query, query)
  if (!parsed.success) throw validationFailed(zodIssues(parsed.error, ['query']))
  return parsed.data
}

/** The names a route's query schema accepts; undefined when its shape cannot be read (then nothing is refused). */
function queryNames(spec: RouteSpec): Set<string> | undefined {
  if (!spec.query) return new Set()
  const shape = (spec.query as { shape?: Record<string, unknown> }).shape
  return shape && typeof shape === 'object' ? new Set(Object.keys(shape)) : undefined
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
  // Routes that take large bodies take third-party documents (SARIF, OSV), written by other tools.
  const notText = textIssues(json, ['body'], { controls: spec.maxBodyBytes === undefined })
  if (notText.length) throw validationFailed(notText)
  const parsed = z.safeParse(spec.body, json)
  if (!parsed.success) throw validationFailed(zodIssues(parsed.error, ['body']))
  return parsed.data
}

function lowerCaseHeaders(event: APIGatewayProxyEvent): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(event.headers ?? {}))
    if (value !== undefined) headers[name.toLowerCase()] = value
  return headers
}

/**
 * A handler's answer that fails its route's schema is Vega's bug, never the client's: a 500 `internal`
 * whose log line names the route and the fields (not their values), instead of a 422 blaming the request.
 */
export class AnswerSchemaError extends Error {
  override name = 'AnswerSchemaError'
}

function answerOf(routeId: string, schema: z.core.$ZodType, result: unknown): unknown {
  const parsed = z.safeParse(schema, result)
  if (parsed.success) return parsed.data
  const fields = zodIssues(parsed.error).map((issue) => `${issue.path || '(root)'}: ${issue.message}`)
  throw new AnswerSchemaError(`the answer of ${routeId} fails its schema: ${fields.join('; ')}`)
}

function toResponse(
  routeId: string,
  spec: RouteSpec,
  locations: Map<string, string>,
  params: unknown,
  result: unknown,
): ApiResult {
  if (result instanceof Reply) {
    if (result.body instanceof Readable)
      return { statusCode: result.status, headers: result.headers, body: result.body }
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
  const body = spec.ok ? answerOf(routeId, spec.ok, result) : result
  const location = locationOf(spec, locations.get(routeId), params, body)
  return {
    statusCode: spec.status ?? 200,
    headers: { 'content-type': 'application/json', ...(location ? { location } : {}) },
    body: JSON.stringify(body),
  }
}

/** A 201's or 202's Location: the route it names, filled from this request's parameters and the answer's id. */
function locationOf(spec: RouteSpec, target: string | undefined, params: unknown, answer: unknown): string | undefined {
  if (!spec.location || !target) return undefined
  const names = [...target.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!)
  const values: Record<string, unknown> = { ...(params as Record<string, unknown> | undefined) }
  // A route that reads one resource ends with its id: the one created (or to poll) is in the answer.
  if (target.endsWith('}')) values[names.at(-1)!] = (answer as Record<string, unknown>)[spec.location.id ?? 'id']
  if (names.some((name) => typeof values[name] !== 'string')) return undefined
  return publicUrl(target.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name] as string)))
}
