// Liveness and readiness. Their answers are declared here, not in schemas/: the health function, which
// every load balancer and monitor calls, bundles no schema and no data module of the other groups.
import * as z from '../zod.js'
import { withMeta } from '../zod.js'
import { route } from './route.js'

export const Health = withMeta(z.object({ status: z.literal('ok'), version: z.string(), uptime_s: z.number() }), {
  id: 'Health',
})
const DependencyCheck = z.object({
  status: z.enum(['ok', 'down']),
  duration_ms: z.number(),
  error: z.optional(z.string()),
})
export const Readiness = withMeta(
  z.object({
    status: z.literal('ready'),
    checks: z.object({ dynamodb: DependencyCheck, s3: DependencyCheck, sqs: DependencyCheck }),
  }),
  { id: 'Readiness' },
)

export const healthRoutes = {
  getHealth: route({
    group: 'health',
    method: 'GET',
    path: '/v1/healthz',
    summary: 'Liveness: the function answers; checks no dependency',
    auth: 'none',
    ok: Health,
  }),
  getReadiness: route({
    group: 'health',
    method: 'GET',
    path: '/v1/readyz',
    summary: 'Readiness: DynamoDB, S3 and SQS each checked with status and duration; 503 when one is down',
    auth: 'none',
    ok: Readiness,
    errors: ['unavailable'],
  }),
} as const
