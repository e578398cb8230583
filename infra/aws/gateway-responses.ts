// API Gateway's own answers (no route, throttled, too large, integration timeout, …) rendered as the
// Vega error envelope with the catalogue's code and status (DESIGN.md "Errors"). Every response type the
// gateway has is listed, so no gateway error ever reaches a client in AWS's own `{"message": …}` shape.
import { ResponseType } from 'aws-cdk-lib/aws-apigateway'
import { type ErrorCode, errorCatalogue } from '../../shared/http/errors.js'

export interface GatewayError {
  type: ResponseType
  code: ErrorCode
  message: string
  /** The two defaults cover many causes, so they keep the gateway's status and only reshape the body. */
  keepStatus?: true
  /** A 429 or 503 says when to come back (DESIGN.md): in the body and in Retry-After. */
  retryAfterS?: number
}

const noRoute = 'No route for this method and path'
const ours = 'Something went wrong on our side; retry, and quote the request id if it persists'
// Vega authenticates in its functions, not at the gateway: the authorizer, API-key and SigV4 types can only
// fire if someone adds those later, and then they mean "your credentials did not pass".
const badCredentials = 'Missing or invalid credentials'

export const gatewayErrors: GatewayError[] = [
  // A path or method outside the route table: REST APIs call it a missing authentication token.
  { type: ResponseType.MISSING_AUTHENTICATION_TOKEN, code: 'not_found', message: noRoute },
  { type: ResponseType.RESOURCE_NOT_FOUND, code: 'not_found', message: noRoute },
  { type: ResponseType.THROTTLED, code: 'rate_limited', message: 'Too many requests', retryAfterS: 1 },
  { type: ResponseType.QUOTA_EXCEEDED, code: 'quota_exceeded', message: 'The usage plan quota is used up' },
  {
    type: ResponseType.REQUEST_TOO_LARGE,
    code: 'payload_too_large',
    message: "The request exceeds API Gateway's 10 MB limit; push large repositories as a bundle",
  },
  { type: ResponseType.UNSUPPORTED_MEDIA_TYPE, code: 'unsupported_media_type', message: 'Unsupported media type' },
  { type: ResponseType.BAD_REQUEST_BODY, code: 'bad_request', message: 'The request body is malformed' },
  { type: ResponseType.BAD_REQUEST_PARAMETERS, code: 'bad_request', message: 'The request parameters are malformed' },
  { type: ResponseType.UNAUTHORIZED, code: 'unauthorized', message: badCredentials },
  { type: ResponseType.EXPIRED_TOKEN, code: 'unauthorized', message: badCredentials },
  { type: ResponseType.INVALID_SIGNATURE, code: 'unauthorized', message: badCredentials },
  { type: ResponseType.INVALID_API_KEY, code: 'unauthorized', message: badCredentials },
  { type: ResponseType.ACCESS_DENIED, code: 'forbidden', message: 'Access denied' },
  { type: ResponseType.WAF_FILTERED, code: 'forbidden', message: 'The request was blocked by the firewall' },
  { type: ResponseType.INTEGRATION_TIMEOUT, code: 'timeout', message: 'The handler did not answer in time' },
  // Lambda could not be invoked or returned no valid answer (throttled account, crash during init).
  {
    type: ResponseType.INTEGRATION_FAILURE,
    code: 'unavailable',
    message: 'The handler is unavailable',
    retryAfterS: 5,
  },
  { type: ResponseType.API_CONFIGURATION_ERROR, code: 'internal', message: ours },
  { type: ResponseType.AUTHORIZER_FAILURE, code: 'internal', message: ours },
  { type: ResponseType.AUTHORIZER_CONFIGURATION_ERROR, code: 'internal', message: ours },
  { type: ResponseType.DEFAULT_4XX, code: 'bad_request', message: 'The gateway refused the request', keepStatus: true },
  { type: ResponseType.DEFAULT_5XX, code: 'internal', message: ours, keepStatus: true },
]

/** The mapping template: the envelope, with the request id API Gateway assigned. */
export function envelopeTemplate({ code, message, retryAfterS }: GatewayError): string {
  return JSON.stringify({
    schema_version: 1,
    error: {
      code,
      message,
      retryable: errorCatalogue[code].retryable,
      details: { request_id: '$context.requestId', ...(retryAfterS ? { retry_after_s: retryAfterS } : {}) },
    },
  })
}

export const statusOf = (error: GatewayError): string | undefined =>
  error.keepStatus ? undefined : String(errorCatalogue[error.code].status)
