// Billing (#9): docs/billing.md.
import { ProjectId, RepositoryId, ScanId, WorkspaceId } from '../../ids.js'
import * as z from '../../zod.js'
import { withMeta } from '../../zod.js'
import { CsvFormat, DeprecatedAt, Engine, PageQuery } from './common.js'
import { Money } from './money.js'
import { Timestamp } from './timestamp.js'

export const PriceEntry = withMeta(
  z.object({
    effective_from: z.iso.date(),
    currency: z.string().check(z.length(3)),
    per_scan: z.number(),
    per_gb_scanned: withMeta(z.number(), { description: 'Per 10^9 bytes of files scanned' }),
    per_gb_second: withMeta(z.number(), {
      description: 'Per GB-second of worker memory × duration, as Lambda counts it',
    }),
  }),
  { id: 'PriceEntry' },
)
export const BillingQuery = z.object({
  workspace_id: z.optional(WorkspaceId),
  from: withMeta(z.optional(z.iso.date()), {
    description: 'First UTC day, inclusive; default the first of this month',
  }),
  to: withMeta(z.optional(z.iso.date()), { description: 'Last UTC day, inclusive; default today' }),
  group_by: z.optional(z.enum(['day', 'project', 'repository'])),
  format: CsvFormat,
})
export const UsageQuery = z.extend(PageQuery, {
  workspace_id: z.optional(WorkspaceId),
  from: z.optional(z.iso.date()),
  to: z.optional(z.iso.date()),
  project_id: z.optional(ProjectId),
  repository_id: z.optional(RepositoryId),
  format: CsvFormat,
})
const UsageFigures = z.object({
  scans: z.number(),
  files: z.number(),
  bytes: z.number(),
  commits: z.number(),
  duration_ms: z.number(),
  cost: withMeta(z.number(), { description: "In the summary's currency" }),
})
export const BillingSummary = withMeta(
  z.object({
    workspace_id: WorkspaceId,
    from: z.iso.date(),
    to: z.iso.date(),
    group_by: z.nullable(z.enum(['day', 'project', 'repository'])),
    currency: z.string().check(z.length(3)),
    prices: withMeta(z.array(PriceEntry), { description: 'The price entries in force on some day of the period' }),
    totals: UsageFigures,
    groups: z.array(
      z.extend(UsageFigures, {
        key: withMeta(z.string(), { description: 'The day, project id or repository id' }),
        name: withMeta(z.nullable(z.string()), {
          description: "The project's or repository's current name; null for days and deleted ones",
        }),
      }),
    ),
  }),
  { id: 'BillingSummary' },
)
export const UsageLine = withMeta(
  z.object({
    scan_id: ScanId,
    workspace_id: WorkspaceId,
    project_id: ProjectId,
    repository_id: RepositoryId,
    engines: z.array(Engine),
    files: z.number(),
    bytes: z.number(),
    commits: z.number(),
    duration_ms: z.number(),
    memory_mb: z.number(),
    cost: Money,
    price_effective_from: z.iso.date(),
    created_at: Timestamp,
    at: DeprecatedAt,
  }),
  { id: 'UsageLine' },
)
