// An answer that is not the route's JSON: HTML, git protocol bytes, CSV, or JSON with extra headers; or
// bytes written as they are made (a waiting push's progress), which a route marked `streams` sends as they
// come and any other route sends whole once the stream ends.
import { createHash } from 'node:crypto'
import type { Readable } from 'node:stream'
import type { APIGatewayProxyResult } from 'aws-lambda'

export class Reply {
  constructor(
    readonly status: number,
    readonly body: string | Uint8Array | Readable | undefined,
    readonly headers: Record<string, string> = {},
  ) {}

  static json(data: unknown, status = 200, headers: Record<string, string> = {}) {
    return new Reply(status, JSON.stringify(data), { 'content-type': 'application/json', ...headers })
  }

  static bytes(body: Uint8Array, contentType: string, headers: Record<string, string> = {}, status = 200) {
    return new Reply(status, body, { 'content-type': contentType, ...headers })
  }

  /** Status and headers now, the body as the stream yields it. */
  static stream(body: Readable, contentType: string, headers: Record<string, string> = {}, status = 200) {
    return new Reply(status, body, { 'content-type': contentType, ...headers })
  }

  static text(body: string, contentType: string, headers: Record<string, string> = {}, status = 200) {
    return new Reply(status, body, { 'content-type': contentType, ...headers })
  }
}

/** A strong ETag over exactly the bytes sent (27 characters of a SHA-256, as the billing summary's). */
export const etagOf = (body: string | Uint8Array) =>
  `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`

/** Whether `If-None-Match` names this ETag (weak comparison, as RFC 9110 asks for GET), or `*`. */
export function heldBy(ifNoneMatch: string | undefined, etag: string): boolean {
  const held = (ifNoneMatch ?? '').split(',').map((tag) => tag.trim().replace(/^W\//, ''))
  return held.includes(etag) || held.includes('*')
}

/** CSV on `Accept: text/csv` or `?format=csv` (the query wins: a link in a browser cannot set Accept). */
export const wantsCsv = (headers: Record<string, string>, format?: 'json' | 'csv') =>
  format ? format === 'csv' : (headers.accept ?? '').toLowerCase().includes('text/csv')

/**
 * A Lambda proxy answer whose body is a stream: written as it comes by a streaming handler
 * (shared/api/streaming.ts), read whole first by a buffered one.
 */
export type StreamedResult = Omit<APIGatewayProxyResult, 'body' | 'isBase64Encoded'> & { body: Readable }
export type ApiResult = APIGatewayProxyResult | StreamedResult

export const isStreamed = (result: ApiResult): result is StreamedResult => typeof result.body !== 'string'

/** The answer as a buffered invocation returns it: a streamed body read to its end, base64-encoded. */
export async function whole(result: ApiResult): Promise<APIGatewayProxyResult> {
  if (!isStreamed(result)) return result
  const chunks: Buffer[] = []
  for await (const chunk of result.body) chunks.push(Buffer.from(chunk as Uint8Array))
  return { ...result, body: Buffer.concat(chunks).toString('base64'), isBase64Encoded: true }
}
