// The error envelope of DESIGN.md, as a schema (for OpenAPI and tests) and as a response builder.
import type { APIGatewayProxyResult } from 'aws-lambda'
import { ZodError, z } from 'zod'
import { ApiError, errorCodes, internal, validationFailed } from './errors.js'

export const ErrorEnvelope = z
  .object({
    schema_version: z.literal(1),
    error: z.object({
      code: z.enum(errorCodes),
      message: z.string(),
      retryable: z.boolean(),
      details: z.record(z.string(), z.unknown()).meta({ description: 'Always carries request_id' }),
    }),
  })
  .meta({
    id: 'Error',
    description: 'Every error Vega returns, from a handler, the router, the gateway or a stored failure',
  })
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>

/** Anything thrown becomes an ApiError; what is not one already is an internal error whose message stays private. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error
  if (error instanceof ZodError) return validationFailed(zodIssues(error))
  return internal()
}

export function zodIssues(error: ZodError, prefix: string[] = []): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: [...prefix, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }))
}

export function envelope(error: ApiError, requestId: string): ErrorEnvelope {
  return {
    schema_version: 1,
    error: {
      code: error.code,
      message: error.message,
      retryable: error.retryable,
      details: { ...error.details, request_id: requestId },
    },
  }
}

export function errorResponse(error: ApiError, requestId: string): APIGatewayProxyResult {
  return {
    statusCode: error.status,
    headers: {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      'x-request-id': requestId,
      ...error.headers,
    },
    body: JSON.stringify(envelope(error, requestId)),
  }
}
