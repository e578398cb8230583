// The security overview (#19): docs/integrations.md.
import { FindingId, ProjectId, RepositoryId, ScanId, WorkspaceId } from '../../ids.js'
import * as z from '../../zod.js'
import { withMeta } from '../../zod.js'
import { CsvFormat, SeverityCounts } from './common.js'
import { Timestamp } from './timestamp.js'

const OverviewWindow = z.object({
  new_findings: withMeta(z.number().check(z.int()), { description: 'Findings first seen (created open)' }),
  fixed_findings: withMeta(z.number().check(z.int()), {
    description: 'Open findings a newer complete scan no longer saw',
  }),
  reopened_findings: withMeta(z.number().check(z.int()), { description: 'Fixed findings seen again' }),
  mean_time_to_fix_s: withMeta(z.nullable(z.number().check(z.int())), {
    description:
      'Of the findings fixed in the window: the mean time from when each was opened to its fix, in seconds; null when none was fixed',
  }),
})
const OverviewDay = withMeta(
  z.object({
    day: z.iso.date(),
    scans: withMeta(z.number().check(z.int()), { description: 'Scans that finished (succeeded or failed)' }),
    scans_failed: z.number().check(z.int()),
    gate_failures: withMeta(z.number().check(z.int()), { description: 'Succeeded scans whose gate failed' }),
    new_findings: z.number().check(z.int()),
    fixed_findings: z.number().check(z.int()),
    reopened_findings: z.number().check(z.int()),
  }),
  { id: 'OverviewDay' },
)
export const Overview = withMeta(
  z.object({
    workspace_id: WorkspaceId,
    as_of: withMeta(z.iso.date(), { description: 'The UTC day the windows and days end on (today)' }),
    open_findings: withMeta(SeverityCounts, { description: 'Open findings of the workspace by severity' }),
    projects: z.array(
      z.object({
        project_id: ProjectId,
        name: z.string(),
        repositories: z.number().check(z.int()),
        open_findings: SeverityCounts,
      }),
    ),
    repositories: z.array(
      z.object({
        repository_id: RepositoryId,
        project_id: ProjectId,
        name: z.string(),
        open_findings: SeverityCounts,
        last_scan: z.nullable(z.object({ id: ScanId, status: z.string(), finished_at: z.nullable(Timestamp) })),
      }),
    ),
    last_7_days: withMeta(OverviewWindow, { description: 'Today and the 6 days before it (UTC)' }),
    last_30_days: withMeta(OverviewWindow, { description: 'Today and the 29 days before it (UTC)' }),
    oldest_open_critical: withMeta(
      z.nullable(
        z.object({
          id: FindingId,
          repository_id: RepositoryId,
          project_id: ProjectId,
          rule_id: z.string(),
          title: z.string(),
          path: z.string(),
          first_seen_at: Timestamp,
          first_seen_scan_id: ScanId,
        }),
      ),
      { description: 'The open critical finding first seen the longest ago; null when none is open' },
    ),
    days: withMeta(z.array(OverviewDay), {
      description: 'The last 30 days, oldest first, days without activity included',
    }),
  }),
  { id: 'Overview' },
)
export const OverviewQuery = z.object({
  workspace_id: withMeta(z.optional(WorkspaceId), { description: "Default: the caller's first workspace" }),
  format: CsvFormat,
  rows: withMeta(z._default(z.enum(['repositories', 'projects', 'days']), 'repositories'), {
    description: 'What the rows of the CSV answer are (the JSON answer holds all three)',
  }),
})
