// What list routes add to the dispatcher: cursors signed for the caller, route, path and filters they were
// made for, the Link to the next page (RFC 8288), and the validators a list answer carries (ETag,
// Cache-Control, 304), as routes with `validators` do. A group whose routes page or validate passes it to
// lambda() (`{ lists }`); a group that does neither bundles none of it.
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda'
import { publicUrl } from '../config.js'
import { decodeCursor, encodeCursor } from '../http/cursor.js'
import type { VegaContext } from '../http/middleware.js'
import { etagOf, heldBy } from '../http/reply.js'
import type { RouteSpec } from '../routes/route.js'
import type { Lists } from './dispatcher.js'

/** A cursor is valid only for the caller, route, path and filters it was made for (not the page size). */
function binding(routeId: string, principal: string | undefined, params: unknown, query: unknown): string {
  const { cursor: _, limit: __, ...filters } = (query ?? {}) as Record<string, unknown>
  const sorted = Object.keys(filters)
    .sort()
    .map((name) => [name, filters[name]])
  return JSON.stringify([routeId, principal ?? null, params ?? null, sorted])
}

/** The URL of the next page: this request's path and query with the new cursor (RFC 8288 `rel="next"`). */
function nextPageUrl(
  spec: RouteSpec,
  pathParams: Record<string, string | undefined>,
  event: APIGatewayProxyEvent,
  cursor: string,
): string {
  const path = spec.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(pathParams[name] ?? ''))
  const query = new URLSearchParams()
  for (const [name, values] of Object.entries(event.multiValueQueryStringParameters ?? {}))
    if (name !== 'cursor') for (const value of values ?? []) query.append(name, value)
  query.set('cursor', cursor)
  return publicUrl(`${path}?${query}`)
}

/**
 * A list answer, or one of a route with `validators`: `Link: <…>; rel="next"` beside a list's
 * `next_cursor`, an ETag over exactly the bytes sent (cursors are deterministic, so an unchanged page is
 * the same bytes), `Cache-Control: private, no-cache` (one caller's view, revalidated every time) and 304
 * when the client already holds the answer. An answer that set its own ETag (the billing summary, with
 * its own max-age) is left as it is.
 */
function withValidators(
  spec: RouteSpec,
  response: APIGatewayProxyResult,
  next: string | null,
  headers: Record<string, string>,
  context: VegaContext,
): APIGatewayProxyResult {
  if (next) {
    const link = `<${next}>; rel="next"`
    // A deprecated list already links its successor: both relations travel in one Link header.
    context.responseHeaders.link = context.responseHeaders.link ? `${context.responseHeaders.link}, ${link}` : link
  }
  if (response.statusCode !== 200 || response.headers?.etag) return response
  const etag = etagOf(response.body)
  // The answer's own Vary joins what every list varies on, and Accept where the route also speaks CSV.
  const varies = [response.headers?.vary, spec.csv ? 'Accept' : undefined, 'Authorization, private-token']
  const vary = [...new Set(varies.flatMap((value) => (value === undefined ? [] : String(value).split(/,\s*/))))].join(
    ', ',
  )
  const caching = { etag, 'cache-control': 'private, no-cache', vary }
  if (heldBy(headers['if-none-match'], etag)) return { statusCode: 304, headers: caching, body: '' }
  return { ...response, headers: { ...response.headers, ...caching } }
}

export const lists: Lists = { binding, decodeCursor, encodeCursor, nextPageUrl, withValidators }
