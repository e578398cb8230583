// The error catalogue as Markdown, for docs/errors.md (a test keeps the file and this table in step), and
// when each code is answered: words for docs/errors.md and the OpenAPI document, kept out of errors.ts
// so that no function's bundle carries them.
import { type ErrorCode, errorCatalogue } from './errors.js'

export const errorWhen = {
  bad_request: 'malformed JSON, bad query syntax, wrong content type for the route, a forged or foreign cursor',
  unauthorized: 'no or invalid credentials, expired token',
  forbidden: 'valid credentials without the role or scope',
  not_found: 'no such route or resource, or one the caller may not see (never says which)',
  method_not_allowed: 'known path, wrong method; the `Allow` header lists the methods',
  conflict: 'state conflict: upload already pushed, duplicate name, scan already running',
  gone: 'an expired upload or session',
  payload_too_large: 'body or push over the limit; details name the limit and the alternative',
  unsupported_media_type: 'a body with a `Content-Encoding` Vega does not decode',
  validation_failed: 'field-level validation; `details.issues: [{path, message}]`',
  rate_limited: 'too many requests; `Retry-After` says when to come back',
  quota_exceeded: 'a workspace quota is used up; details name the limit',
  internal: 'unexpected; the message never leaks internals',
  not_implemented: 'a route of the contract whose handler is not built yet',
  unavailable: 'a dependency is down',
  timeout: 'a dependency or the handler timed out',
} as const satisfies Record<ErrorCode, string>

export function errorCatalogueMarkdown(): string {
  const rows = Object.entries(errorCatalogue).map(
    ([code, { status, retryable }]) => `| ${status} | \`${code}\` | ${retryable} | ${errorWhen[code as ErrorCode]} |`,
  )
  return [
    '# Error catalogue',
    '',
    '<!-- Generated from shared/http/errors.ts and catalogue.ts by `npm run docs`; edit the tables there. -->',
    '',
    'Every error, from a handler, the router, the gateway or a stored scan failure, is one envelope:',
    '',
    '```json',
    '{ "schema_version": 1,',
    '  "error": { "code": "not_found", "message": "Repository repo_01H… not found",',
    '             "retryable": false, "details": { "request_id": "…" } } }',
    '```',
    '',
    'Branch on `code`; show `message`; retry only when `retryable` is true. `details.request_id` is always',
    'there (quote it when reporting a problem); a 429 or 503 also carries `details.retry_after_s` and a',
    '`Retry-After` header; a 405 carries `Allow`; a 422 carries `details.issues: [{path, message}]`, where',
    '`path` names the part of the request (`body.name`, `query.limit`).',
    '',
    '| status | code | retryable | when |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n')
}
