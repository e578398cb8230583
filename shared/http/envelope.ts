// The error envelope of DESIGN.md as a response builder (its schema, for OpenAPI and tests, is envelope-schema.ts).
import type { APIGatewayProxyResult } from 'aws-lambda'
import { DomainError } from '../errors.js'
import * as z from '../zod.js'
import type { ErrorEnvelope } from './envelope-schema.js'
import { ApiError, internal, validationFailed } from './errors.js'

/** A domain error as the contract names it: the one mapping from the layers below HTTP. */
function fromDomain(error: DomainError): ApiError {
  switch (error.kind) {
    case 'not_found':
      return new ApiError('not_found', error.message, error.details)
    case 'expired':
      return new ApiError('gone', error.message, error.details)
    case 'has_children':
      return new ApiError('conflict', `${error.message}; delete with ?cascade=true to remove them too`, error.details)
    case 'name_taken':
    case 'conflict':
      return new ApiError('conflict', error.message, error.details)
  }
}

/** An error the contract knows (an ApiError, or a domain error mapped to one); undefined for anything else. */
export function knownApiError(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error
  if (error instanceof DomainError) return fromDomain(error)
  return undefined
}

/** Anything thrown becomes an ApiError; what is not one already is an internal error whose message stays private. */
export function toApiError(error: unknown): ApiError {
  const known = knownApiError(error)
  if (known) return known
  // zod/mini's parse errors and classic zod's share this class.
  if (error instanceof z.$ZodError) return validationFailed(zodIssues(error))
  return internal()
}

export function zodIssues(error: z.$ZodError, prefix: string[] = []): { path: string; message: string }[] {
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
