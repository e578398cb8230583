// The error catalogue of DESIGN.md ("Errors") as data, and the one error class handlers throw.
// docs/errors.md and the OpenAPI document are generated from this table and from when each code is
// answered (catalogue.ts, words only the documents need); nothing else spells a code.

export const errorCatalogue = {
  bad_request: { status: 400, retryable: false },
  unauthorized: { status: 401, retryable: false },
  forbidden: { status: 403, retryable: false },
  not_found: { status: 404, retryable: false },
  method_not_allowed: { status: 405, retryable: false },
  conflict: { status: 409, retryable: false },
  gone: { status: 410, retryable: false },
  payload_too_large: { status: 413, retryable: false },
  unsupported_media_type: { status: 415, retryable: false },
  validation_failed: { status: 422, retryable: false },
  rate_limited: { status: 429, retryable: true },
  quota_exceeded: { status: 429, retryable: false },
  internal: { status: 500, retryable: true },
  not_implemented: { status: 501, retryable: false },
  unavailable: { status: 503, retryable: true },
  timeout: { status: 504, retryable: true },
} as const satisfies Record<string, { status: number; retryable: boolean }>

export type ErrorCode = keyof typeof errorCatalogue
export const errorCodes = Object.keys(errorCatalogue) as ErrorCode[]

export type ErrorDetails = Record<string, unknown>

export class ApiError extends Error {
  readonly status: number
  readonly retryable: boolean

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
    this.name = 'ApiError'
    this.status = errorCatalogue[code].status
    this.retryable = errorCatalogue[code].retryable
  }
}

export const badRequest = (message: string, details?: ErrorDetails) => new ApiError('bad_request', message, details)
export const unauthorized = (message = 'Missing or invalid credentials') =>
  new ApiError('unauthorized', message, {}, { 'www-authenticate': 'Bearer' })
export const forbidden = (message = 'Your role or key scopes do not allow this') => new ApiError('forbidden', message)
export const notFound = (what: string, id: string) => new ApiError('not_found', `${what} ${id} not found`)
export const routeNotFound = (method: string, path: string) =>
  new ApiError('not_found', `No route for ${method} ${path}`)
export const methodNotAllowed = (method: string, path: string, allow: readonly string[]) =>
  new ApiError('method_not_allowed', `${method} is not allowed on ${path}`, { allow }, { allow: allow.join(', ') })
export const conflict = (message: string, details?: ErrorDetails) => new ApiError('conflict', message, details)
export const gone = (message: string) => new ApiError('gone', message)
export const payloadTooLarge = (message: string, details: { limit_bytes: number; alternative?: string }) =>
  new ApiError('payload_too_large', message, details)
export const unsupportedMediaType = (message: string) => new ApiError('unsupported_media_type', message)
export const validationFailed = (issues: { path: string; message: string }[]) =>
  new ApiError('validation_failed', 'The request did not pass validation', { issues })
export const rateLimited = (retryAfterS: number) =>
  new ApiError('rate_limited', 'Too many requests', { retry_after_s: retryAfterS }, { 'retry-after': `${retryAfterS}` })
export const quotaExceeded = (limit: string, retryAfterS: number, details: ErrorDetails = {}) =>
  new ApiError(
    'quota_exceeded',
    `The workspace quota ${limit} is used up`,
    { limit, retry_after_s: retryAfterS, ...details },
    {
      'retry-after': `${retryAfterS}`,
    },
  )
/**
 * A scan refused before it runs because of its estimated cost, in the catalogue's terms: over the
 * request's own `max_cost` is a field that cannot be met (422, naming it); past the workspace's monthly
 * budget is a quota, used up until the month turns (429 with Retry-After). Details carry the figures.
 */
export function costLimitExceeded(
  limit: 'max_cost' | 'monthly_budget',
  message: string,
  details: { estimate: number; currency: string } & ErrorDetails,
  retryAfterS = 0,
): ApiError {
  if (limit === 'max_cost')
    return new ApiError('validation_failed', message, {
      issues: [{ path: 'body.max_cost', message }],
      limit,
      ...details,
    })
  return new ApiError(
    'quota_exceeded',
    message,
    { limit, retry_after_s: retryAfterS, ...details },
    { 'retry-after': `${retryAfterS}` },
  )
}
export const internal = () =>
  new ApiError('internal', 'Something went wrong on our side; retry, and quote the request id if it persists')
export const notImplemented = (routeId: string) =>
  new ApiError('not_implemented', `${routeId} is part of the contract but not built yet`, { route: routeId })
export const unavailable = (message: string, retryAfterS: number, details: ErrorDetails = {}) =>
  new ApiError('unavailable', message, { retry_after_s: retryAfterS, ...details }, { 'retry-after': `${retryAfterS}` })
export const timeout = (message: string) => new ApiError('timeout', message)
