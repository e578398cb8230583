// Operations: limits, workers, cleanup, advisories.
import { WorkspaceId } from '../ids.js'
import * as z from '../zod.js'
import { route } from './route.js'
import {
  AdvisoryImport,
  AdvisoryImported,
  Cleanup,
  CleanupReport,
  Limits,
  UpdateLimits,
  Workers,
} from './schemas/ops.js'
import { billingAccess, largeJsonBytes } from './shared.js'

/** What every operations route shares: people with the ops scope, admins of the workspace (owners for writes to limits). */
const operators = { group: 'ops', auth: 'user', scope: 'ops', scopeGrants: true, role: 'admin' } as const

export const opsRoutes = {
  getLimits: route({
    ...operators,
    method: 'GET',
    path: '/v1/ops/limits',
    summary: "Each of the workspace's limits and its current use, and the monthly budget",
    description: billingAccess,
    query: z.object({ workspace_id: z.optional(WorkspaceId) }),
    ok: Limits,
  }),
  updateLimits: route({
    ...operators,
    method: 'PUT',
    path: '/v1/ops/limits',
    summary: "Set the workspace's monthly budget, or tighten a limit below its default (null: back to the default)",
    description: 'Owners only: raising a limit above the configured default is an operator change.',
    role: 'owner',
    apiKeys: false,
    body: UpdateLimits,
    ok: Limits,
  }),
  getWorkers: route({
    ...operators,
    method: 'GET',
    path: '/v1/ops/workers',
    summary:
      "Queue depth, in flight, delayed, DLQ depth, oldest age; the workspace's scans by state, stuck scans, last runs and failures",
    description: billingAccess,
    query: z.object({ workspace_id: z.optional(WorkspaceId) }),
    ok: Workers,
  }),
  runCleanup: route({
    ...operators,
    method: 'POST',
    path: '/v1/ops/cleanup',
    summary:
      "Remove the workspace's expired upload objects and stale inputs, look after stuck scans (dry run by default)",
    description: `The scheduled cleanup runs the same code over every workspace. ${billingAccess}`,
    body: Cleanup,
    ok: CleanupReport,
  }),
  importAdvisories: route({
    ...operators,
    method: 'POST',
    path: '/v1/ops/advisories',
    summary: 'Import OSV-format advisories for the dependency scanner',
    description: `The advisory store is shared by every workspace. ${billingAccess}`,
    body: AdvisoryImport,
    ok: AdvisoryImported,
    errors: ['payload_too_large'],
    maxBodyBytes: largeJsonBytes,
  }),
} as const
