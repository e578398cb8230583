// The error catalogue as Markdown, for docs/errors.md (a test keeps the file and this table in step).
import { errorCatalogue } from './errors.js'

export function errorCatalogueMarkdown(): string {
  const rows = Object.entries(errorCatalogue).map(
    ([code, { status, retryable, when }]) => `| ${status} | \`${code}\` | ${retryable} | ${when} |`,
  )
  return [
    '# Error catalogue',
    '',
    '<!-- Generated from shared/http/errors.ts by `npm run docs`; edit the table there. -->',
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
