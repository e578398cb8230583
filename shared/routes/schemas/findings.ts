// Findings: their shape, their filters, triage, comparisons and suppressions (repositories, overview).
import {
  dismissReasons,
  findingLocation,
  findingRecord,
  findingStatuses,
  flowStep,
  historyRecord,
  userDismissReasons,
} from '../../data/findings.js'
import { contextFilterValues } from '../../data/policy-values.js'
import { suppressionRecord } from '../../data/suppressions.js'
import { DismissalRequestId, ProjectId, RepositoryId, ScanId, WorkspaceId } from '../../ids.js'
import { findingContexts } from '../../scanning/engine.js'
import { dependencyScopes, reachabilities } from '../../scanning/engines/dependencies/types.js'
import * as z from '../../zod.js'
import { withMeta } from '../../zod.js'
import { Engine, PageQuery, Severity } from './common.js'
import { Timestamp } from './timestamp.js'
import { TimestampInput } from './timestamp-input.js'

/** Where a finding sits when it is not the product's own code (shared/scanning/context.ts). */
export const FindingContextName = z.enum(findingContexts)
/** A context filter's values: the contexts, and `none` for the product's own code. */
export const ContextFilterValue = z.enum(contextFilterValues)
/** `context=test,docs` in a query string; `context=none` is the product's own code. */
const ContextQuery = withMeta(
  z.pipe(
    z.pipe(
      z.string().check(z.maxLength(200)),
      z.transform((value) => value.split(',').map((part) => part.trim())),
    ),
    z.array(ContextFilterValue).check(z.minLength(1), z.maxLength(6)),
  ),
  {
    description:
      "Comma-separated contexts: test, example, docs, vendored, build, or none (the product's own code), e.g. test,docs",
  },
)
export const FindingStatus = z.enum(findingStatuses)
export const DismissReason = z.enum(userDismissReasons)
export const FlowStep = withMeta(flowStep, { id: 'FlowStep' })
export const Location = z.omit(findingLocation, { snippet: true })
export const Finding = withMeta(
  z.extend(
    z.pick(findingRecord, {
      id: true,
      repository_id: true,
      rule_id: true,
      severity: true,
      title: true,
      message: true,
      path: true,
      start_line: true,
      end_line: true,
      snippet: true,
      fingerprint: true,
      fingerprint_version: true,
      status: true,
      first_seen_scan_id: true,
      last_seen_scan_id: true,
      cwe: true,
      fix: true,
    }),
    {
      engine: Engine,
      locations: z.array(Location),
      /** Test, example, docs, vendored or build material (one severity lower); null for the product's own code. */
      context: z.nullable(FindingContextName),
      /** A data-flow finding's path from source to sink, in order; null for the others. */
      flow: z.nullable(z.array(FlowStep)),
      advisory: z.nullable(z.object({ id: z.string(), aliases: z.array(z.string()), url: z.nullable(z.string()) })),
      dependency: withMeta(
        z.nullable(
          z.object({
            ecosystem: z.string(),
            package: z.string(),
            version: z.string(),
            fixed_version: withMeta(z.nullable(z.string()), {
              description: 'The fixed version nearest above the installed one',
            }),
            direct: withMeta(z.nullable(z.boolean()), {
              description: 'Asked for by the project itself; null when the lockfile cannot tell',
            }),
            via: withMeta(z.nullable(z.string()), {
              description: 'For a transitive package: the direct dependency that pulls it in, when the lockfile says',
            }),
            scope: withMeta(z.nullable(z.enum(dependencyScopes)), {
              description: 'null when the lockfile cannot tell',
            }),
            reachable: withMeta(z.enum(reachabilities), {
              description:
                'Whether a non-test JavaScript, TypeScript or Python file of the pushed tree imports the package (unknown for other ecosystems)',
            }),
            advisory_data: withMeta(z.object({ records: z.nullable(z.number()), synced_at: z.nullable(Timestamp) }), {
              description: "The advisory data this finding was matched against: the ecosystem's count and last sync",
            }),
          }),
        ),
        {
          description: 'For a dependency finding: the package, what to upgrade to, how it got there; null otherwise',
        },
      ),
      /** Why it is dismissed, by whom, when; null unless dismissed. */
      triage: z.nullable(
        z.object({
          reason: z.enum(dismissReasons),
          comment: z.string(),
          by: z.string(),
          at: Timestamp,
          via: z.nullable(z.string()),
        }),
      ),
      /** A dismissal request of a critical finding, waiting for an admin. */
      pending_dismissal: z.nullable(z.object({ id: DismissalRequestId, expires_at: Timestamp })),
    },
  ),
  { id: 'Finding' },
)
export const FindingDetail = withMeta(
  z.extend(Finding, {
    occurrences: z.array(z.object({ scan_id: ScanId, locations: z.array(Location) })),
    history: z.array(z.extend(z.omit(historyRecord, { id: true }), { at: Timestamp })),
  }),
  { id: 'FindingDetail' },
)
/** The filters a findings list takes, in a repository or across a workspace. */
const findingFilters = {
  severity: z.optional(Severity),
  status: z.optional(FindingStatus),
  engine: z.optional(Engine),
  rule: z.optional(z.string().check(z.maxLength(200))),
  path: withMeta(z.optional(z.string().check(z.maxLength(1024))), {
    description: "Findings whose primary location's path starts with this",
  }),
  /** Comma-separated contexts: `test,docs`; `none` is the product's own code. */
  context: z.optional(ContextQuery),
  new_since: withMeta(z.optional(TimestampInput), {
    description: 'Findings first seen at or after this instant (ISO 8601), e.g. 2026-12-01T00:00:00Z',
  }),
}
export const FindingQuery = z.extend(PageQuery, {
  ...findingFilters,
  scan: z.optional(ScanId),
  baseline: z.optional(ScanId),
  only: z.optional(z.enum(['new'])),
})
export const WorkspaceFindingQuery = z.extend(PageQuery, {
  workspace_id: withMeta(z.optional(WorkspaceId), { description: "Default: the caller's first workspace" }),
  project: withMeta(z.optional(ProjectId), { description: 'Findings of the repositories of this project' }),
  repository: withMeta(z.optional(RepositoryId), { description: 'Findings of this repository' }),
  ...findingFilters,
})
export const UpdateFinding = z.strictObject({
  status: z.enum(['dismissed', 'open']),
  reason: z.optional(DismissReason),
  comment: z.optional(z.string().check(z.maxLength(2000))),
})
export const FindingFilter = z.strictObject({
  severity: z.optional(Severity),
  status: z.optional(FindingStatus),
  engine: z.optional(Engine),
  rule: z.optional(z.string().check(z.maxLength(200))),
  path: z.optional(z.string().check(z.maxLength(1024))),
  /** Contexts to select: `["test", "docs"]`; `none` is the product's own code. */
  context: z.optional(z.array(ContextFilterValue).check(z.minLength(1), z.maxLength(6))),
})
export const BulkTriage = z.strictObject({
  filter: FindingFilter,
  status: z.enum(['dismissed', 'open']),
  reason: z.optional(DismissReason),
  comment: z.optional(z.string().check(z.maxLength(2000))),
  dry_run: z._default(z.boolean(), true),
})
export const BulkTriageOutcome = withMeta(
  z.object({
    dry_run: z.boolean(),
    matched: z.number().check(z.int()),
    dismissed: z.number().check(z.int()),
    reopened: z.number().check(z.int()),
    requested: z.number().check(z.int()),
    unchanged: z.number().check(z.int()),
    truncated: z.boolean(),
  }),
  { id: 'BulkTriageOutcome' },
)
export const CompareQuery = z.object({ base: ScanId, head: ScanId })
export const Comparison = withMeta(
  z.object({ base: ScanId, head: ScanId, new: z.array(Finding), fixed: z.array(Finding), unchanged: z.array(Finding) }),
  { id: 'Comparison' },
)
export const Suppression = withMeta(
  z.extend(
    z.pick(suppressionRecord, {
      id: true,
      repository_id: true,
      fingerprint: true,
      rule: true,
      path: true,
      reason: true,
      owner: true,
      last_matched_scan_id: true,
    }),
    {
      status: z.enum(['active', 'expired']),
      expires_at: z.nullable(Timestamp),
      last_matched_at: z.nullable(Timestamp),
      created_at: Timestamp,
    },
  ),
  { id: 'Suppression' },
)
export const CreateSuppression = z
  .strictObject({
    fingerprint: z.optional(z.string().check(z.regex(/^[0-9a-f]{64}$/, 'a finding fingerprint (64 hex characters)'))),
    rule: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
    /** A glob over repository paths (`test/**`, `**\/*.spec.ts`); with `rule` only. */
    path: z.optional(z.string().check(z.minLength(1), z.maxLength(1024))),
    reason: z.string().check(z.minLength(1), z.maxLength(2000)),
    expires_at: z.optional(TimestampInput),
  })
  .check(
    z.superRefine((value, context) => {
      if (!value.fingerprint === !value.rule)
        context.addIssue({
          code: 'custom',
          path: ['fingerprint'],
          message: 'send a fingerprint, or a rule (with an optional path glob)',
        })
      if (value.path && !value.rule)
        context.addIssue({ code: 'custom', path: ['path'], message: 'a path glob needs a rule' })
      if (value.expires_at && Date.parse(value.expires_at) <= Date.now())
        context.addIssue({ code: 'custom', path: ['expires_at'], message: 'must be in the future' })
    }),
  )
