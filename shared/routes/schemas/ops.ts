// Operations (#9): limits, workers, cleanup and advisories; docs/billing.md.
import { limitNames } from '../../data/quotas.js'
import { scanStatuses } from '../../data/scans.js'
import { RepositoryId, ScanId, WorkspaceId } from '../../ids.js'
import * as z from '../../zod.js'
import { withMeta } from '../../zod.js'
import { Timestamp } from './timestamp.js'

export const LimitName = z.enum(limitNames)
export const Limit = z.object({
  name: LimitName,
  limit: z.number(),
  used: withMeta(z.nullable(z.number()), { description: 'Current use, where it is counted' }),
  unit: z.string(),
  source: z.enum(['default', 'workspace']),
})
export const Limits = withMeta(
  z.object({
    workspace_id: WorkspaceId,
    limits: z.array(Limit),
    monthly_budget: withMeta(
      z.object({
        amount: z.nullable(z.number()),
        currency: z.string().check(z.length(3)),
        spent: z.number(),
        source: z.enum(['default', 'workspace']),
      }),
      { description: 'amount null: no budget' },
    ),
  }),
  { id: 'Limits' },
)
export const UpdateLimits = z.strictObject({
  workspace_id: z.optional(WorkspaceId),
  /** null puts a limit back to its default. */
  limits: z.optional(z.partialRecord(LimitName, z.nullable(z.number().check(z.int(), z.positive())))),
  monthly_budget: z.optional(z.nullable(z.number().check(z.positive()))),
})
const WorkerScan = z.object({
  id: ScanId,
  repository_id: RepositoryId,
  status: z.enum(scanStatuses),
  created_at: Timestamp,
  started_at: z.nullable(Timestamp),
  finished_at: z.nullable(Timestamp),
  duration_ms: z.nullable(z.number()),
  error_code: z.nullable(z.string()),
})
export const Workers = withMeta(
  z.object({
    workspace_id: WorkspaceId,
    queue: withMeta(
      z.object({
        depth: z.number(),
        in_flight: z.number(),
        delayed: z.number(),
        dlq_depth: z.number(),
        oldest_age_s: withMeta(z.nullable(z.number()), { description: 'Age of the oldest scan waiting in the queue' }),
        dlq_oldest_age_s: z.nullable(z.number()),
      }),
      { description: 'The whole service: counts only, no tenant data' },
    ),
    scans_by_state: z.object({
      queued: z.number(),
      running: z.number(),
      succeeded: z.number(),
      failed: z.number(),
      cancelled: z.number(),
    }),
    window_h: withMeta(z.number(), {
      description: 'scans_by_state, last_runs and failures cover scans created this many hours back',
    }),
    stuck_scans: z.array(WorkerScan),
    last_runs: z.array(WorkerScan),
    failures: z.array(WorkerScan),
    last_cleanup: z.nullable(z.object({ at: Timestamp, report: z.record(z.string(), z.unknown()) })),
    advisories: withMeta(
      z.array(
        z.object({
          ecosystem: z.string(),
          records: z.number(),
          synced_at: z.nullable(Timestamp),
          last_modified: withMeta(z.nullable(Timestamp), {
            description: 'The newest advisory modification the sync saw',
          }),
          stale: z.boolean(),
        }),
      ),
      {
        description:
          'The advisory store per ecosystem Vega matches (shared by every workspace); stale when not synced within ADVISORY_STALE_AFTER_H hours (48 by default) or never',
      },
    ),
    warnings: withMeta(z.array(z.string()), { description: 'What an operator should look at, in words' }),
  }),
  { id: 'Workers' },
)
export const Cleanup = z.strictObject({
  dry_run: z._default(z.boolean(), true),
  workspace_id: z.optional(WorkspaceId),
})
const CleanupObjects = z.object({ count: z.number(), bytes: z.number(), keys: z.array(z.string()) })
export const CleanupReport = withMeta(
  z.object({
    dry_run: z.boolean(),
    workspace_id: z.nullable(WorkspaceId),
    expired_uploads: withMeta(CleanupObjects, {
      description: 'Objects of uploads and sessions that expired or were released unused',
    }),
    orphans: withMeta(CleanupObjects, { description: 'Objects no upload, session or scan refers to' }),
    past_retention: withMeta(CleanupObjects, { description: "Scan inputs older than the workspace's retention_days" }),
    stuck_scans: z.object({ requeued: z.array(ScanId), failed: z.array(ScanId) }),
    dead_letters: z.number(),
    rate_limit_items: z.number(),
    truncated: withMeta(z.boolean(), { description: 'More was found than one run handles; run again' }),
  }),
  { id: 'CleanupReport' },
)
export const AdvisoryImport = z.strictObject({
  advisories: z.array(z.record(z.string(), z.unknown())).check(z.minLength(1), z.maxLength(10_000)),
})
export const AdvisoryImported = z.object({
  imported: z.number(),
  updated: z.number(),
  unchanged: withMeta(z.number(), {
    description: 'Records the store already held at the same or a later modification',
  }),
  skipped: z.number(),
  notes: z.array(z.string()),
})
