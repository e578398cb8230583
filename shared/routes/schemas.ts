// Resource shapes of DESIGN.md ("Resource shapes"): field names are part of the contract.
// Each schema carries an OpenAPI component id; inputs are strict so a misspelt field is a 422, not ignored.
import { dismissalStatuses } from '../data/dismissals.js'
import { eventRecord } from '../data/events.js'
import {
  dismissReasons,
  findingLocation,
  findingRecord,
  findingStatuses,
  flowStep,
  historyRecord,
  userDismissReasons,
} from '../data/findings.js'
import { contextFilterValues, policyEffects, policyRecord } from '../data/policies.js'
import { projectRecord } from '../data/projects.js'
import { limitNames } from '../data/quotas.js'
import { repositoryRecord } from '../data/repositories.js'
import { gateRecord, scanRecord, scanStatuses } from '../data/scans.js'
import { suppressionRecord } from '../data/suppressions.js'
import { uploadStatuses } from '../data/uploads.js'
import { memberRecord } from '../data/users.js'
import {
  abandonReasons,
  deliveryAttempt,
  deliveryStatuses,
  webhookDeliveryRecord,
  webhookEventTypes,
  webhookRecord,
} from '../data/webhooks.js'
import { workspaceRecord } from '../data/workspaces.js'
import { roles, scopes } from '../grants.js'
import {
  ApiKeyId,
  DismissalRequestId,
  FindingId,
  ProjectId,
  RepositoryId,
  ScanId,
  SessionId,
  UploadId,
  UserId,
  WorkspaceId,
} from '../ids.js'
import { findingContexts, severities } from '../scanning/engine.js'
import { dependencyScopes, reachabilities } from '../scanning/engines/dependencies/types.js'
import * as z from '../zod.js'
import { withMeta } from '../zod.js'

export const Timestamp = withMeta(z.iso.datetime(), {
  description: 'ISO 8601 UTC',
  example: '2026-11-24T09:30:00.000Z',
})
/** A timestamp a client sends, stored and answered in the one format every other timestamp has (`….000Z`). */
export const TimestampInput = withMeta(
  // zod runs the overwrite even after the format check failed: a value that is no date stays as sent, so
  // the answer is the format's 422 (new Date('yesterday').toISOString() would throw: a 500).
  z.iso
    .datetime({ offset: true })
    .check(z.overwrite((value) => (Number.isNaN(Date.parse(value)) ? value : new Date(value).toISOString()))),
  { description: 'ISO 8601; stored and answered as UTC with milliseconds', example: '2026-11-24T09:30:00.000Z' },
)
/** The first name of `created_at` on events and usage lines, answered alongside it until its sunset. */
const deprecatedAt = withMeta(z.iso.datetime(), {
  description: 'The same as created_at, which every record uses; answered until 2027-06-30',
  deprecated: true,
})
const name = z.string().check(z.trim(), z.minLength(1), z.maxLength(100))
const description = z.string().check(z.maxLength(2000))

// Lists (DESIGN.md "Lists"): ?limit=1..200 (default 50) and an opaque signed cursor.
export const PageQuery = z.object({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(200)), 50),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
})
export const page = <T extends z.core.$ZodType>(item: T) =>
  z.object({ items: z.array(item), next_cursor: z.nullable(z.string()) })

export const Role = z.enum(roles)
export const Severity = z.enum(severities)
export const Engine = z.string().check(z.regex(/^(secrets|code|dependencies|sarif:[\w.-]{1,64})$/))
export const ApiKeyScope = z.enum(scopes)

// Health and Readiness live with their routes (routes/health.ts): the health function bundles nothing else.

export const Membership = z.object({ workspace_id: WorkspaceId, role: Role })
export const User = withMeta(
  z.object({
    id: UserId,
    email: z.email(),
    name: z.string(),
    memberships: z.array(Membership),
    auth: z.enum(['token', 'api_key']),
  }),
  { id: 'User' },
)
export const Login = z.strictObject({
  email: z.email().check(z.maxLength(254)),
  password: z.string().check(z.minLength(1), z.maxLength(1024)),
})
export const Refresh = z.strictObject({ refresh_token: z.string().check(z.minLength(1), z.maxLength(512)) })
export const Tokens = withMeta(
  z.object({
    access_token: z.string(),
    refresh_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().check(z.int()),
  }),
  { id: 'Tokens' },
)
export const SetPassword = withMeta(
  z.strictObject({
    new_password: z.string().check(z.minLength(12), z.maxLength(1024)),
    setup_token: z.optional(z.string().check(z.maxLength(512))),
    old_password: z.optional(z.string().check(z.maxLength(1024))),
  }),
  { description: 'Either a one-time setup_token or the old_password' },
)

// Answers about stored things derive from their records (shared/data), so a field is declared once; the
// wire adds what only it knows: timestamps' format, computed fields, examples.
export const Workspace = withMeta(
  z.extend(z.pick(workspaceRecord, { id: true, name: true }), { role: Role, created_at: Timestamp }),
  { id: 'Workspace' },
)
export const Member = withMeta(
  z.extend(z.pick(memberRecord, { user_id: true, name: true, role: true }), { email: z.email(), added_at: Timestamp }),
  { id: 'Member' },
)
export const AddMember = z.strictObject({
  email: z.email().check(z.maxLength(254)),
  name: z.optional(name),
  role: Role,
})
export const AddedMember = withMeta(
  z.extend(Member, {
    setup_token: withMeta(z.nullable(z.string()), {
      description: 'A new user’s one-time password-setup token; null for an existing user and in a replayed answer',
    }),
  }),
  { id: 'AddedMember' },
)
export const UpdateMember = z.strictObject({ role: Role })

export const ApiKey = withMeta(
  z.object({
    id: ApiKeyId,
    name: z.string(),
    scopes: z.array(ApiKeyScope),
    owner: z.object({ type: z.enum(['user', 'workspace']), id: z.union([UserId, WorkspaceId]) }),
    prefix: z.string(),
    expires_at: z.nullable(Timestamp),
    last_used_at: z.nullable(Timestamp),
    revoked_at: z.nullable(Timestamp),
    /** `leaked`: a scan found the key in pushed code and Vega revoked it. */
    revoked_reason: z.nullable(z.enum(['revoked', 'leaked'])),
    created_at: Timestamp,
  }),
  { id: 'ApiKey' },
)
export const CreatedApiKey = withMeta(z.extend(ApiKey, { key: z.string() }), { id: 'CreatedApiKey' })
export const CreateApiKey = z.strictObject({
  name,
  scopes: z.array(ApiKeyScope).check(z.minLength(1)),
  expires_at: z.optional(TimestampInput),
  workspace_id: z.optional(WorkspaceId),
})
export const RevokeApiKey = withMeta(
  z.strictObject({
    sha256: z.optional(z.string().check(z.regex(/^[0-9a-f]{64}$/))),
    key: z.optional(z.string().check(z.maxLength(256))),
  }),
  { description: 'The SHA-256 (hex) of the key, or the key itself' },
)
export const PurgeApiKeys = z.strictObject({ password: z.optional(z.string().check(z.maxLength(1024))) })
export const ApiKeyQuery = z.extend(PageQuery, { workspace_id: z.optional(WorkspaceId) })
export const Purged = z.object({ revoked: z.number().check(z.int()) })

export const Project = withMeta(
  z.extend(z.omit(projectRecord, { deleting_at: true }), { created_at: Timestamp, updated_at: Timestamp }),
  { id: 'Project' },
)
export const CreateProject = z.strictObject({
  name,
  description: z.optional(description),
  workspace_id: z.optional(WorkspaceId),
})
export const UpdateProject = z.strictObject({ name: z.optional(name), description: z.optional(description) })
export const ReplaceProject = z.strictObject({ name, description: z._default(description, '') })
export const SeverityCounts = z.object({
  critical: z.number(),
  high: z.number(),
  medium: z.number(),
  low: z.number(),
  info: z.number(),
})
export const Rollup = withMeta(
  z.object({
    project_id: ProjectId,
    repositories: z.array(
      z.object({
        repository_id: RepositoryId,
        name: z.string(),
        last_scan: z.nullable(z.object({ id: ScanId, status: z.string(), finished_at: z.nullable(Timestamp) })),
        open_findings: SeverityCounts,
      }),
    ),
    totals: z.object({ repositories: z.number(), open_findings: SeverityCounts }),
  }),
  { id: 'Rollup' },
)

export const Repository = withMeta(
  z.extend(
    z.pick(repositoryRecord, {
      id: true,
      project_id: true,
      workspace_id: true,
      name: true,
      default_branch: true,
      description: true,
      last_scan_id: true,
    }),
    { created_at: Timestamp, updated_at: Timestamp },
  ),
  { id: 'Repository' },
)
const branch = z.string().check(z.minLength(1), z.maxLength(255), z.regex(/^[^\s~^:?*[\\]+$/))
export const CreateRepository = z.strictObject({
  project_id: ProjectId,
  name,
  default_branch: z.optional(branch),
  description: z.optional(description),
})
export const UpdateRepository = z.strictObject({
  name: z.optional(name),
  default_branch: z.optional(branch),
  description: z.optional(description),
})

export const Money = withMeta(z.object({ amount: z.number(), currency: z.string().check(z.length(3)) }), {
  id: 'Money',
})
export const CostEstimate = withMeta(
  z.extend(Money, {
    input_bytes: withMeta(z.number(), { description: 'The size the estimate assumed' }),
    basis: withMeta(z.enum(['upload', 'previous_upload', 'minimum']), {
      description: "upload: this upload's size; previous_upload: the repository's last; minimum: nothing known yet",
    }),
  }),
  { id: 'CostEstimate' },
)
export const ScanStatus = z.enum(scanStatuses)
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
export const PolicyEffect = z.enum(policyEffects)
export const Policy = withMeta(policyRecord, { id: 'Policy' })
export const PolicyAnswer = withMeta(
  z.extend(Policy, {
    /** Where it comes from: set on this project or workspace, inherited from the workspace, or Vega's default. */
    source: z.enum(['project', 'workspace', 'default']),
  }),
  { id: 'PolicyAnswer' },
)
export const Gate = withMeta(gateRecord, { id: 'Gate' })
export const Scan = withMeta(
  z.object({
    id: ScanId,
    repository_id: RepositoryId,
    upload_id: z.nullable(UploadId),
    status: ScanStatus,
    error: scanRecord.shape.error,
    created_at: Timestamp,
    started_at: z.nullable(Timestamp),
    finished_at: z.nullable(Timestamp),
    stats: scanRecord.shape.stats,
    engines: z.array(Engine),
    /** The CI gate: the policy applied to what this scan saw; null until it succeeds. */
    gate: z.nullable(Gate),
    cost_estimate: z.nullable(CostEstimate),
    cost: withMeta(z.nullable(Money), { description: 'What the scan cost, once it succeeded (docs/billing.md)' }),
    queue_position: withMeta(z.nullable(z.number().check(z.int())), {
      description: 'While queued: scans ahead of it in the queue, plus one',
    }),
    links: withMeta(z.object({ self: z.url(), findings: z.url(), sarif: z.url() }), {
      description: 'The scan by its id alone, the findings it saw, and its SARIF',
    }),
  }),
  { id: 'Scan' },
)
export const ScanQuery = z.extend(PageQuery, { status: z.optional(ScanStatus) })
export const CreateScan = z.strictObject({
  engines: z.optional(z.array(z.enum(['secrets', 'code', 'dependencies'])).check(z.minLength(1))),
  max_cost: z.optional(z.number().check(z.positive())),
})

export const FindingStatus = z.enum(findingStatuses)
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
export const DismissReason = z.enum(userDismissReasons)
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

export const Event = withMeta(
  z.extend(z.pick(eventRecord, { id: true, repository_id: true, actor: true, data: true }), {
    // The type stays an open string on the wire: new kinds of event must not break a client's parser.
    type: z.string(),
    created_at: Timestamp,
    at: deprecatedAt,
  }),
  { id: 'Event' },
)

export const UploadStatus = z.enum(uploadStatuses)
export const GitUpload = withMeta(
  z.object({
    id: UploadId,
    repository_id: RepositoryId,
    status: UploadStatus,
    remote_url: withMeta(z.nullable(z.string()), {
      description: 'Carries the one-time upload token; only in the create answer',
    }),
    bundle_upload_url: z.nullable(z.string()),
    push_max_bytes: withMeta(z.number().check(z.int()), {
      description:
        "The largest pack a git push to remote_url may carry; over it, upload a bundle (git's own output only says HTTP 413)",
    }),
    bundle_max_bytes: withMeta(z.number().check(z.int()), {
      description: 'The largest bundle bundle_upload_url takes',
    }),
    complete_url: withMeta(z.string(), { description: 'POST here after a bundle was PUT to bundle_upload_url' }),
    expires_at: Timestamp,
    scan_id: z.nullable(ScanId),
    cost_estimate: z.nullable(CostEstimate),
  }),
  { id: 'GitUpload' },
)
export const CreateGitUpload = z.strictObject({
  repository_id: RepositoryId,
  expires_in_s: z.optional(z.number().check(z.int(), z.gte(60), z.lte(3600))),
  /** The push is refused if its scan's estimate is above this (docs/billing.md). */
  max_cost: z.optional(z.number().check(z.positive())),
})
export const ExtendGitUpload = z.strictObject({ expires_in_s: z.number().check(z.int(), z.gte(60), z.lte(3600)) })

const DismissalStatus = z.enum(dismissalStatuses)
export const DismissalRequest = withMeta(
  z.object({
    id: DismissalRequestId,
    finding_id: FindingId,
    repository_id: RepositoryId,
    status: DismissalStatus,
    reason: DismissReason,
    comment: z.string(),
    requested_by: UserId,
    decided_by: z.nullable(UserId),
    decision_comment: z.nullable(z.string()),
    created_at: Timestamp,
    expires_at: Timestamp,
  }),
  { id: 'DismissalRequest' },
)
export const DismissalQuery = z.extend(PageQuery, {
  workspace_id: z.optional(WorkspaceId),
  status: z.optional(DismissalStatus),
})
export const Decision = z.strictObject({ comment: z.string().check(z.minLength(1), z.maxLength(2000)) })
export const SarifImport = z.looseObject({
  version: z.literal('2.1.0'),
  runs: z.array(z.unknown()).check(z.maxLength(100)),
})
export const SarifImported = z.object({ scan_id: ScanId, findings: z.number().check(z.int()) })

/** `?format=csv` on the routes that answer CSV too. */
const CsvFormat = withMeta(z.optional(z.enum(['json', 'csv'])), {
  description: 'csv answers text/csv as Accept: text/csv does; given, it wins over Accept',
})

// The security overview (#19): docs/integrations.md.
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

// Billing and operations (#9): docs/billing.md.
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
    at: deprecatedAt,
  }),
  { id: 'UsageLine' },
)

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
  status: ScanStatus,
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

export const Session = withMeta(
  z.object({
    id: SessionId,
    repository_id: RepositoryId,
    status: z.enum(['awaiting_upload', 'uploaded', 'analyzing', 'done', 'failed', 'expired']),
    upload_url: z.nullable(z.string()),
    expires_at: Timestamp,
    scan_id: z.nullable(ScanId),
  }),
  { id: 'Session', deprecated: true },
)
export const CreateSession = z.strictObject({ repository_id: RepositoryId, format: z.enum(['tar.gz', 'zip']) })
export const Deprecation = withMeta(
  z.object({
    feature: z.string(),
    routes: z.array(z.string()),
    deprecated_at: Timestamp,
    sunset_at: Timestamp,
    replacement: z.string(),
    link: z.string(),
  }),
  { id: 'Deprecation' },
)

// Webhooks (#19): docs/integrations.md "Webhooks".
export const WebhookEventType = z.enum(webhookEventTypes)
export const Webhook = withMeta(
  z.extend(z.pick(webhookRecord, { id: true, workspace_id: true, url: true, description: true, active: true }), {
    events: z.array(WebhookEventType),
    min_severity: withMeta(Severity, { description: 'finding.created only for findings at least this severe' }),
    previous_secret_expires_at: withMeta(z.nullable(Timestamp), {
      description: 'Until when the secret replaced by the last rotation still signs deliveries, beside the new one',
    }),
    created_at: Timestamp,
    updated_at: Timestamp,
  }),
  { id: 'Webhook' },
)
const webhookSecret = withMeta(z.string(), {
  description:
    'The signing secret (whsec_…): shown once, in this answer; Vega stores it sealed and never shows it again',
})
export const CreatedWebhook = withMeta(z.extend(Webhook, { secret: webhookSecret }), { id: 'CreatedWebhook' })
const webhookUrl = withMeta(z.url().check(z.maxLength(2048)), {
  description:
    'Where deliveries are POSTed: https://, resolving to public addresses only (the local stack also takes http:// and loopback)',
  example: 'https://hooks.example.com/vega',
})
const webhookEvents = z.array(WebhookEventType).check(
  z.minLength(1),
  z.maxLength(webhookEventTypes.length),
  z.refine((events) => new Set(events).size === events.length, 'each event once'),
)
export const CreateWebhook = z.strictObject({
  url: webhookUrl,
  events: webhookEvents,
  description: z._default(description, ''),
  min_severity: z._default(Severity, 'info'),
  active: z._default(z.boolean(), true),
  workspace_id: z.optional(WorkspaceId),
})
export const UpdateWebhook = z.strictObject({
  url: z.optional(webhookUrl),
  events: z.optional(webhookEvents),
  description: z.optional(description),
  min_severity: z.optional(Severity),
  active: z.optional(z.boolean()),
})
export const RotateWebhookSecret = z.strictObject({
  grace_period_s: withMeta(z._default(z.number().check(z.int(), z.gte(0), z.lte(7 * 24 * 3600)), 24 * 3600), {
    description: 'How long the old secret keeps signing deliveries beside the new one (0: not at all; at most 7 days)',
  }),
})
export const WebhookQuery = z.extend(PageQuery, { workspace_id: z.optional(WorkspaceId) })
export const WebhookDeliveryAttempt = withMeta(z.extend(deliveryAttempt, { at: Timestamp }), {
  id: 'WebhookDeliveryAttempt',
})
export const WebhookDelivery = withMeta(
  z.extend(
    z.pick(webhookDeliveryRecord, {
      id: true,
      webhook_id: true,
      event_id: true,
      event_type: true,
      redelivery_of: true,
    }),
    {
      status: z.enum(deliveryStatuses),
      attempts: z.array(WebhookDeliveryAttempt),
      next_attempt_at: withMeta(z.nullable(Timestamp), { description: 'When the next attempt is due, while pending' }),
      abandoned_because: withMeta(z.nullable(z.enum(abandonReasons)), {
        description: 'Why a delivery failed without using its attempts',
      }),
      created_at: Timestamp,
      updated_at: Timestamp,
    },
  ),
  { id: 'WebhookDelivery' },
)
export const WebhookDeliveryDetail = withMeta(
  z.extend(WebhookDelivery, {
    payload: withMeta(z.nullable(z.record(z.string(), z.unknown())), {
      description: 'The body every attempt sends (null once its event is past retention)',
    }),
  }),
  { id: 'WebhookDeliveryDetail' },
)
export const WebhookDeliveryQuery = z.extend(PageQuery, { status: z.optional(z.enum(deliveryStatuses)) })
