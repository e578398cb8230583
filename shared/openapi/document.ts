// The OpenAPI 3.1 document, generated from the route table and its zod schemas (zod-openapi).
// Each route lists the errors it can return, all of them the one envelope schema.
import {
  createDocument,
  type ZodOpenApiHeaderObject,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
} from 'zod-openapi'
import { version } from '../config.js'
import { errorWhen } from '../http/catalogue.js'
import { ErrorEnvelope } from '../http/envelope-schema.js'
import { type ErrorCode, errorCatalogue } from '../http/errors.js'
import { routeTable } from '../routes/index.js'
import { type Group, groups, type RouteSpec } from '../routes/route.js'
import * as z from '../zod.js'
import { withMeta } from '../zod.js'

/** The errors a route can return: those of its kind (auth, input, data) plus its own. */
export function errorsOf(spec: RouteSpec): ErrorCode[] {
  const codes = new Set<ErrorCode>(['internal'])
  if (spec.body || spec.query) codes.add('validation_failed').add('bad_request')
  if (spec.body) codes.add('payload_too_large').add('unsupported_media_type')
  if (spec.params) codes.add('not_found')
  // Every route sits behind the stage's throttle (a gateway response in the envelope, with Retry-After).
  codes.add('rate_limited')
  if (spec.auth !== 'none') codes.add('unauthorized').add('forbidden').add('unavailable')
  for (const code of spec.errors ?? []) codes.add(code)
  return [...codes].sort((a, b) => errorCatalogue[a].status - errorCatalogue[b].status)
}

function errorResponses(spec: RouteSpec) {
  const common = commonHeaders(spec)
  const byStatus = new Map<number, ErrorCode[]>()
  for (const code of errorsOf(spec)) {
    const status = errorCatalogue[code].status
    byStatus.set(status, [...(byStatus.get(status) ?? []), code])
  }
  return Object.fromEntries(
    [...byStatus].map(([status, codes]) => [
      String(status),
      {
        description: codes.map((code) => `\`${code}\`: ${errorWhen[code]}`).join('; '),
        headers: headersOf(status === 429 || status === 503 ? [...common, 'RetryAfter'] : common),
        content: { 'application/json': { schema: ErrorEnvelope } },
      },
    ]),
  )
}

const binary = withMeta(z.string(), { format: 'binary' })

/** One line per group: the document's top-level `tags`, in the order of the route table's groups. */
const tagDescriptions: Record<Group, string> = {
  health: 'Liveness and readiness of the service and its dependencies',
  docs: 'This OpenAPI document, the interactive reference and the deprecations',
  auth: 'Sign in, refresh and sign out; the caller; passwords',
  workspaces: 'Workspaces and their members and roles',
  'api-keys': 'Personal and workspace API keys, shown once',
  projects: 'Projects, their repositories and policies',
  repositories: 'Repositories, their scans, findings, comparisons, suppressions, SARIF exports and timeline',
  'git-uploads': 'Temporary git remotes: push a repository, and the scan it starts',
  triage: 'Dismissal requests, SARIF imports, policies and advisories',
  billing: 'Usage, cost summaries (JSON or CSV) and line items',
  ops: 'Limits, budgets, workers and stuck scans',
  sessions: 'The legacy archive-upload flow (deprecated; use git uploads)',
  webhooks: 'Signed webhooks: endpoints, their secrets, test pings, delivery logs and redeliveries',
  overview:
    "The workspace's security overview for dashboards: findings across it, and figures kept as counters (JSON or CSV)",
}

/** Response headers Vega sends, declared once and referenced by the responses that carry them. */
const headerComponents = {
  XRequestId: {
    description: 'The request id (echoed when the client sent a plain one), also in every error',
    schema: { type: 'string' },
  },
  RateLimitLimit: { description: "Requests allowed in the caller's current window", schema: { type: 'integer' } },
  RateLimitRemaining: { description: 'Requests left in the current window', schema: { type: 'integer' } },
  RateLimitReset: { description: 'Seconds until the window resets', schema: { type: 'integer' } },
  RetryAfter: { description: 'Seconds to wait before trying again', schema: { type: 'integer' } },
  ETag: {
    description: 'A strong validator over exactly the bytes sent; send it back in If-None-Match for a 304',
    schema: { type: 'string' },
  },
  CacheControl: {
    description: 'How long the answer may be reused (private: one caller’s view)',
    schema: { type: 'string' },
  },
  Vary: { description: 'The request headers the answer depends on', schema: { type: 'string' } },
  Link: {
    description:
      'RFC 8288 links: `rel="next"` on a list with a next page (beside `next_cursor`), `rel="successor-version"` on a deprecated route',
    schema: { type: 'string' },
  },
  Location: {
    description: 'The URL of what was created, or of what to poll',
    schema: { type: 'string', format: 'uri' },
  },
  IdempotentReplayed: {
    description: '`true` when this is the stored answer to an earlier request with the same Idempotency-Key',
    schema: { type: 'string', enum: ['true'] },
  },
  ContentDisposition: { description: 'An attachment with a file name', schema: { type: 'string' } },
  Deprecation: {
    description: 'RFC 9745: when the route was deprecated (`@<epoch seconds>`)',
    schema: { type: 'string' },
  },
  Sunset: { description: 'RFC 8594: when the route goes away (HTTP date)', schema: { type: 'string' } },
  VegaTotals: {
    description:
      'The summary totals as an RFC 8941 dictionary (`scans=42, …, cost="0.1386", currency="USD"`); the CSV rows are the groups only',
    schema: { type: 'string' },
  },
} as const
type HeaderName = keyof typeof headerComponents
const wireNames: Record<HeaderName, string> = {
  XRequestId: 'X-Request-Id',
  RateLimitLimit: 'X-RateLimit-Limit',
  RateLimitRemaining: 'X-RateLimit-Remaining',
  RateLimitReset: 'X-RateLimit-Reset',
  RetryAfter: 'Retry-After',
  ETag: 'ETag',
  CacheControl: 'Cache-Control',
  Vary: 'Vary',
  Link: 'Link',
  Location: 'Location',
  IdempotentReplayed: 'Idempotent-Replayed',
  ContentDisposition: 'Content-Disposition',
  Deprecation: 'Deprecation',
  Sunset: 'Sunset',
  VegaTotals: 'Vega-Totals',
}
const headersOf = (names: HeaderName[]) =>
  Object.fromEntries(names.map((name) => [wireNames[name], { $ref: `#/components/headers/${name}` }]))

/** A list that pages with `cursor`: its answers carry Link (next), ETag and Cache-Control, and 304. */
const isList = (spec: RouteSpec) =>
  Boolean((spec.query as { shape?: Record<string, unknown> } | undefined)?.shape?.cursor)
/** Answers with validators (ETag, Cache-Control, 304 to If-None-Match). */
const hasValidators = (spec: RouteSpec) =>
  isList(spec) || spec.produces === 'application/sarif+json' || spec.validators === true
/** A download: SARIF, and a CSV answer that is not a page of a list. */
const isDownload = (spec: RouteSpec) =>
  spec.produces === 'application/sarif+json' || (spec.csv === true && !isList(spec))

/** Headers on every answer of a route, errors included. */
function commonHeaders(spec: RouteSpec): HeaderName[] {
  return [
    'XRequestId',
    ...(spec.auth === 'user' || spec.auth === 'optional'
      ? (['RateLimitLimit', 'RateLimitRemaining', 'RateLimitReset'] as const)
      : []),
    ...(spec.deprecated ? (['Deprecation', 'Sunset', 'Link'] as const) : []),
  ]
}

function successHeaders(routeId: string, spec: RouteSpec): HeaderName[] {
  const names = new Set<HeaderName>(commonHeaders(spec))
  if (isList(spec)) names.add('Link')
  if (hasValidators(spec)) names.add('ETag').add('CacheControl').add('Vary')
  if (spec.location) names.add('Location')
  if (spec.idempotent) names.add('IdempotentReplayed')
  if (isDownload(spec)) names.add('ContentDisposition')
  if (routeId === 'getBillingSummary') names.add('VegaTotals')
  return [...names]
}

/** Request media types a JSON route takes besides application/json (any `+json` type is read as JSON). */
const alsoAccepts: Record<string, string[]> = { importSarif: ['application/sarif+json'] }

/** What a SARIF answer is, in outline (the full schema is OASIS's SARIF 2.1.0). */
const SarifLog = withMeta(
  z.looseObject({ $schema: z.string(), version: z.literal('2.1.0'), runs: z.array(z.looseObject({})) }),
  {
    id: 'SarifLog',
    description: 'A SARIF 2.1.0 log with one run (https://docs.oasis-open.org/sarif/sarif/v2.1.0/)',
  },
)

/** Who may call, in words: the description every operation carries. */
function accessOf(spec: RouteSpec): string {
  if (spec.auth === 'none') return 'Public: no credentials.'
  if (spec.auth === 'upload-token') return "Authenticated by the upload's one-time credentials (in its `remote_url`)."
  const who =
    spec.apiKeys === false
      ? 'A signed-in user (an access token); API keys are refused.'
      : `A signed-in user or an API key${spec.scope === 'any' ? '' : ` with the \`${spec.scope ?? (spec.method === 'GET' ? 'read' : 'write')}\` scope`}.`
  return spec.auth === 'optional' ? `Public; credentials, when sent, must be valid. ${who}` : who
}

function operation(routeId: string, spec: RouteSpec): ZodOpenApiOperationObject {
  const status = String(spec.status ?? 200)
  const headers = headersOf(successHeaders(routeId, spec))
  const success =
    spec.status === 204
      ? { description: 'Done; no body', headers }
      : {
          description: spec.status === 201 ? 'Created' : spec.status === 202 ? 'Accepted' : 'Success',
          headers,
          content: spec.produces
            ? {
                [spec.produces]: {
                  schema:
                    spec.produces === 'application/json'
                      ? z.unknown()
                      : spec.produces === 'application/sarif+json'
                        ? SarifLog
                        : binary,
                },
              }
            : {
                'application/json': { schema: spec.ok ?? z.unknown() },
                ...(spec.csv ? { 'text/csv': { schema: z.string() } } : {}),
              },
        }
  const notModified: Record<string, ZodOpenApiResponseObject> = hasValidators(spec)
    ? {
        '304': {
          description: 'Not modified: the If-None-Match sent names this answer',
          headers: headersOf([...commonHeaders(spec), 'ETag', 'CacheControl', 'Vary']),
        },
      }
    : {}
  return {
    operationId: routeId,
    summary: spec.summary,
    tags: [spec.group],
    ...(spec.deprecated ? { deprecated: true } : {}),
    description: [
      spec.description,
      accessOf(spec),
      spec.role ? `Needs the workspace role **${spec.role}** or higher.` : undefined,
      isList(spec)
        ? 'A list: `{items, next_cursor}`, with `Link: <…>; rel="next"` while there is a next page.'
        : undefined,
    ]
      .filter(Boolean)
      .join('\n\n'),
    security: security(spec),
    requestParams: {
      ...(spec.params ? { path: spec.params } : {}),
      ...(spec.query ? { query: spec.query } : {}),
      ...(spec.idempotent
        ? { header: z.object({ 'idempotency-key': z.optional(z.string().check(z.maxLength(255))) }) }
        : {}),
    },
    ...(spec.body || spec.consumes
      ? {
          requestBody: {
            required: true,
            content: spec.consumes
              ? { [spec.consumes]: { schema: binary } }
              : Object.fromEntries(
                  ['application/json', ...(alsoAccepts[routeId] ?? [])].map((type) => [type, { schema: spec.body! }]),
                ),
          },
        }
      : {}),
    responses: { [status]: success, ...notModified, ...errorResponses(spec) },
  }
}

function security(spec: RouteSpec): Record<string, string[]>[] {
  if (spec.auth === 'none') return []
  if (spec.auth === 'upload-token') return [{ uploadToken: [] }]
  return [{ bearer: [] }, { privateToken: [] }]
}

export function buildOpenApi() {
  const paths: Record<string, Record<string, ZodOpenApiOperationObject>> = {}
  for (const [routeId, spec] of Object.entries(routeTable) as [string, RouteSpec][]) {
    paths[spec.path] = { ...paths[spec.path], [spec.method.toLowerCase()]: operation(routeId, spec) }
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Vega API',
      version: version(),
      description:
        'Push a repository to a temporary git remote and read its findings. Every error is the envelope ' +
        '`{schema_version, error: {code, message, retryable, details}}`; every list pages with `limit` and `cursor`.',
      contact: { name: 'Vega' },
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    tags: groups.map((name) => ({ name, description: tagDescriptions[name] })),
    servers: [
      { url: '/', description: 'This server' },
      { url: 'http://localhost:8000', description: 'Local (npm start)' },
      {
        // What `cdk deploy` prints: the REST API's own URL, stage `api` (infra/aws/constructs/api.ts).
        url: 'https://{restApiId}.execute-api.{region}.amazonaws.com/api',
        description: 'A deployed stage (dev or prod)',
        variables: {
          restApiId: { default: 'abcdef1234', description: 'The id `cdk deploy` prints in the stack output' },
          region: { default: 'eu-west-1', description: 'The AWS Region the stack is deployed to' },
        },
      },
    ],
    components: {
      headers: headerComponents as unknown as Record<string, ZodOpenApiHeaderObject>,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An access token from /v1/auth/login, or an API key' },
        privateToken: { type: 'apiKey', in: 'header', name: 'private-token', description: 'An API key' },
        uploadToken: { type: 'http', scheme: 'basic', description: "The upload's one-time credentials in remote_url" },
      },
    },
    paths: paths as ZodOpenApiPathsObject,
  })
}
