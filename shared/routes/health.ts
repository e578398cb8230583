// Liveness and readiness.
import { route } from './route.js'
import { Health, Readiness } from './schemas.js'

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
