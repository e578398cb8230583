// The OpenAPI 3.1 document, generated from the route table and its zod schemas (zod-openapi).
// Each route lists the errors it can return, all of them the one envelope schema.
import { z } from 'zod'
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from 'zod-openapi'
import { version } from '../config.js'
import { ErrorEnvelope } from '../http/envelope.js'
import { type ErrorCode, errorCatalogue } from '../http/errors.js'
import { routeTable } from '../routes/index.js'
import type { RouteSpec } from '../routes/route.js'

/** The errors a route can return: those of its kind (auth, input, data) plus its own. */
export function errorsOf(spec: RouteSpec): ErrorCode[] {
  const codes = new Set<ErrorCode>(['internal'])
  if (spec.body || spec.query) codes.add('validation_failed').add('bad_request')
  if (spec.body) codes.add('payload_too_large').add('unsupported_media_type')
  if (spec.params) codes.add('not_found')
  if (spec.auth !== 'none') codes.add('unauthorized').add('forbidden').add('rate_limited').add('unavailable')
  for (const code of spec.errors ?? []) codes.add(code)
  return [...codes].sort((a, b) => errorCatalogue[a].status - errorCatalogue[b].status)
}

function errorResponses(spec: RouteSpec) {
  const byStatus = new Map<number, ErrorCode[]>()
  for (const code of errorsOf(spec)) {
    const status = errorCatalogue[code].status
    byStatus.set(status, [...(byStatus.get(status) ?? []), code])
  }
  return Object.fromEntries(
    [...byStatus].map(([status, codes]) => [
      String(status),
      {
        description: codes.map((code) => `\`${code}\`: ${errorCatalogue[code].when}`).join('; '),
        content: { 'application/json': { schema: ErrorEnvelope } },
      },
    ]),
  )
}

const binary = z.string().meta({ format: 'binary' })

function operation(routeId: string, spec: RouteSpec): ZodOpenApiOperationObject {
  const status = String(spec.status ?? 200)
  const success =
    spec.status === 204
      ? { description: 'Done; no body' }
      : {
          description: 'Success',
          content: spec.produces
            ? { [spec.produces]: { schema: spec.produces === 'application/json' ? z.unknown() : binary } }
            : { 'application/json': { schema: spec.ok ?? z.unknown() } },
        }
  return {
    operationId: routeId,
    summary: spec.summary,
    tags: [spec.group],
    ...(spec.deprecated ? { deprecated: true } : {}),
    ...(spec.role || spec.description
      ? {
          description: [
            spec.description,
            spec.role ? `Needs the workspace role **${spec.role}** or higher.` : undefined,
          ]
            .filter(Boolean)
            .join('\n\n'),
        }
      : {}),
    security: security(spec),
    requestParams: {
      ...(spec.params ? { path: spec.params } : {}),
      ...(spec.query ? { query: spec.query } : {}),
      ...(spec.idempotent ? { header: z.object({ 'idempotency-key': z.string().max(255).optional() }) } : {}),
    },
    ...(spec.body || spec.consumes
      ? {
          requestBody: {
            required: true,
            content: spec.consumes
              ? { [spec.consumes]: { schema: binary } }
              : { 'application/json': { schema: spec.body! } },
          },
        }
      : {}),
    responses: { [status]: success, ...errorResponses(spec) },
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
    },
    servers: [
      { url: '/', description: 'This server' },
      { url: 'http://localhost:8000', description: 'Local (npm start)' },
      { url: 'https://api.dev.vega.example.com', description: 'Dev' },
      { url: 'https://api.vega.example.com', description: 'Prod' },
    ],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An access token from /v1/auth/login, or an API key' },
        privateToken: { type: 'apiKey', in: 'header', name: 'private-token', description: 'An API key' },
        uploadToken: { type: 'http', scheme: 'basic', description: "The upload's one-time credentials in remote_url" },
      },
    },
    paths: paths as ZodOpenApiPathsObject,
  })
}

let cachedJson: string | undefined
/** Generated once per cold start: the table does not change while the process lives. */
export const openApiJson = (): string => (cachedJson ??= JSON.stringify(buildOpenApi()))
