// The error envelope of DESIGN.md as a schema, for the OpenAPI document and tests. Its own module: a function
// writes envelopes (envelope.ts) and never builds this schema at cold start.
import * as z from '../zod.js'
import { withMeta } from '../zod.js'
import { errorCodes } from './errors.js'

export const ErrorEnvelope = withMeta(
  z.object({
    schema_version: z.literal(1),
    error: z.object({
      code: z.enum(errorCodes),
      message: z.string(),
      retryable: z.boolean(),
      details: withMeta(z.record(z.string(), z.unknown()), { description: 'Always carries request_id' }),
    }),
  }),
  {
    id: 'Error',
    description: 'Every error Vega returns, from a handler, the router, the gateway or a stored failure',
  },
)
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>
