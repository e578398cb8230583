// Resource shapes of DESIGN.md ("Resource shapes"): field names are part of the contract.
// Each schema carries an OpenAPI component id; inputs are strict so a misspelt field is a 422, not ignored.
import { z } from 'zod'
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

export const Timestamp = z.iso.datetime().meta({ description: 'ISO 8601 UTC', example: '2026-11-24T09:30:00.000Z' })
/** A timestamp a client sends, stored and answered in the one format every other timestamp has (`….000Z`). */
export const TimestampInput = z.iso
  .datetime({ offset: true })
  .overwrite((value) => new Date(value).toISOString())
  .meta({ description: 'ISO 8601; stored and answered as UTC with milliseconds', example: '2026-11-24T09:30:00.000Z' })
/** The first name of `created_at` on events and usage lines, answered alongside it until its sunset. */
const deprecatedAt = z.iso.datetime().meta({
  description: 'The same as created_at, which every record uses; answered until 2027-06-30',
  deprecated: true,
})
const name = z.string().trim().min(1).max(100)
const description = z.string().max(2000)

// Lists (DESIGN.md "Lists"): ?limit=1..200 (default 50) and an opaque signed cursor.
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(2048).optional(),
})
export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), next_cursor: z.string().nullable() })

export const Role = z.enum(roles)
export const Severity = z.enum(severities)
export const Engine = z.string().regex(/^(secrets|code|dependencies|sarif:[\w.-]{1,64})$/)
export const ApiKeyScope = z.enum(scopes)

export const Health = z
  .object({ status: z.literal('ok'), version: z.string(), uptime_s: z.number() })
  .meta({ id: 'Health' })
export const DependencyCheck = z.object({
  status: z.enum(['ok', 'down']),
  duration_ms: z.number(),
  error: z.string().optional(),
})
export const Readiness = z
  .object({
    status: z.literal('ready'),
    checks: z.object({ dynamodb: DependencyCheck, s3: DependencyCheck, sqs: DependencyCheck }),
  })
  .meta({ id: 'Readiness' })

export const Membership = z.object({ workspace_id: WorkspaceId, role: Role })
export const User = z
  .object({
    id: UserId,
    email: z.email(),
    name: z.string(),
    memberships: z.array(Membership),
    auth: z.enum(['token', 'api_key']),
  })
  .meta({ id: 'User' })
export const Login = z.strictObject({ email: z.email().max(254), password: z.string().min(1).max(1024) })
export const Refresh = z.strictObject({ refresh_token: z.string().min(1).max(512) })
export const Tokens = z
  .object({
    access_token: z.string(),
    refresh_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int(),
  })
  .meta({ id: 'Tokens' })
export const SetPassword = z
  .strictObject({
    new_password: z.string().min(12).max(1024),
    setup_token: z.string().max(512).optional(),
    old_password: z.string().max(1024).optional(),
  })
  .meta({ description: 'Either a one-time setup_token or the old_password' })

// Answers about stored things derive from their records (shared/data), so a field is declared once; the
// wire adds what only it knows: timestamps' format, computed fields, examples.
export const Workspace = workspaceRecord
  .pick({ id: true, name: true })
  .extend({ role: Role, created_at: Timestamp })
  .meta({ id: 'Workspace' })
export const Member = memberRecord
  .pick({ user_id: true, name: true, role: true })
  .extend({ email: z.email(), added_at: Timestamp })
  .meta({ id: 'Member' })
export const AddMember = z.strictObject({ email: z.email().max(254), name: name.optional(), role: Role })
export const AddedMember = Member.extend({
  setup_token: z
    .string()
    .nullable()
    .describe('A new user’s one-time password-setup token; null for an existing user and in a replayed answer'),
}).meta({ id: 'AddedMember' })
export const UpdateMember = z.strictObject({ role: Role })

export const ApiKey = z
  .object({
    id: ApiKeyId,
    name: z.string(),
    scopes: z.array(ApiKeyScope),
    owner: z.object({ type: z.enum(['user', 'workspace']), id: z.union([UserId, WorkspaceId]) }),
    prefix: z.string(),
    expires_at: Timestamp.nullable(),
    last_used_at: Timestamp.nullable(),
    revoked_at: Timestamp.nullable(),
    /** `leaked`: a scan found the key in pushed code and Vega revoked it. */
    revoked_reason: z.enum(['revoked', 'leaked']).nullable(),
    created_at: Timestamp,
  })
  .meta({ id: 'ApiKey' })
export const CreatedApiKey = ApiKey.extend({ key: z.string() }).meta({ id: 'CreatedApiKey' })
export const CreateApiKey = z.strictObject({
  name,
  scopes: z.array(ApiKeyScope).min(1),
  expires_at: TimestampInput.optional(),
  workspace_id: WorkspaceId.optional(),
})
export const RevokeApiKey = z
  .strictObject({
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
    key: z.string().max(256).optional(),
  })
  .meta({ description: 'The SHA-256 (hex) of the key, or the key itself' })
export const PurgeApiKeys = z.strictObject({ password: z.string().max(1024).optional() })
export const ApiKeyQuery = PageQuery.extend({ workspace_id: WorkspaceId.optional() })
export const Purged = z.object({ revoked: z.number().int() })

export const Project = projectRecord
  .omit({ deleting_at: true })
  .extend({ created_at: Timestamp, updated_at: Timestamp })
  .meta({ id: 'Project' })
export const CreateProject = z.strictObject({
  name,
  description: description.optional(),
  workspace_id: WorkspaceId.optional(),
})
export const UpdateProject = z.strictObject({ name: name.optional(), description: description.optional() })
export const ReplaceProject = z.strictObject({ name, description: description.default('') })
export const SeverityCounts = z.object({
  critical: z.number(),
  high: z.number(),
  medium: z.number(),
  low: z.number(),
  info: z.number(),
})
export const Rollup = z
  .object({
    project_id: ProjectId,
    repositories: z.array(
      z.object({
        repository_id: RepositoryId,
        name: z.string(),
        last_scan: z.object({ id: ScanId, status: z.string(), finished_at: Timestamp.nullable() }).nullable(),
        open_findings: SeverityCounts,
      }),
    ),
    totals: z.object({ repositories: z.number(), open_findings: SeverityCounts }),
  })
  .meta({ id: 'Rollup' })

export const Repository = repositoryRecord
  .pick({
    id: true,
    project_id: true,
    workspace_id: true,
    name: true,
    default_branch: true,
    description: true,
    last_scan_id: true,
  })
  .extend({ created_at: Timestamp, updated_at: Timestamp })
  .meta({ id: 'Repository' })
const branch = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^\s~^:?*[\\]+$/)
export const CreateRepository = z.strictObject({
  project_id: ProjectId,
  name,
  default_branch: branch.optional(),
  description: description.optional(),
})
export const UpdateRepository = z.strictObject({
  name: name.optional(),
  default_branch: branch.optional(),
  description: description.optional(),
})

export const Money = z.object({ amount: z.number(), currency: z.string().length(3) }).meta({ id: 'Money' })
export const CostEstimate = Money.extend({
  input_bytes: z.number().meta({ description: 'The size the estimate assumed' }),
  basis: z.enum(['upload', 'previous_upload', 'minimum']).meta({
    description: "upload: this upload's size; previous_upload: the repository's last; minimum: nothing known yet",
  }),
}).meta({ id: 'CostEstimate' })
export const ScanStatus = z.enum(scanStatuses)
/** Where a finding sits when it is not the product's own code (shared/scanning/context.ts). */
export const FindingContextName = z.enum(findingContexts)
/** A context filter's values: the contexts, and `none` for the product's own code. */
export const ContextFilterValue = z.enum(contextFilterValues)
/** `context=test,docs` in a query string; `context=none` is the product's own code. */
const ContextQuery = z
  .string()
  .max(200)
  .transform((value) => value.split(',').map((part) => part.trim()))
  .pipe(z.array(ContextFilterValue).min(1).max(6))
  .meta({
    description:
      "Comma-separated contexts: test, example, docs, vendored, build, or none (the product's own code), e.g. test,docs",
  })
export const PolicyEffect = z.enum(policyEffects)
export const Policy = policyRecord.meta({ id: 'Policy' })
export const PolicyAnswer = Policy.extend({
  /** Where it comes from: set on this project or workspace, inherited from the workspace, or Vega's default. */
  source: z.enum(['project', 'workspace', 'default']),
}).meta({ id: 'PolicyAnswer' })
export const Gate = gateRecord.meta({ id: 'Gate' })
export const Scan = z
  .object({
    id: ScanId,
    repository_id: RepositoryId,
    upload_id: UploadId.nullable(),
    status: ScanStatus,
    error: scanRecord.shape.error,
    created_at: Timestamp,
    started_at: Timestamp.nullable(),
    finished_at: Timestamp.nullable(),
    stats: scanRecord.shape.stats,
    engines: z.array(Engine),
    /** The CI gate: the policy applied to what this scan saw; null until it succeeds. */
    gate: Gate.nullable(),
    cost_estimate: CostEstimate.nullable(),
    cost: Money.nullable().meta({ description: 'What the scan cost, once it succeeded (docs/billing.md)' }),
    queue_position: z
      .number()
      .int()
      .nullable()
      .meta({ description: 'While queued: scans ahead of it in the queue, plus one' }),
    links: z
      .object({ self: z.url(), findings: z.url(), sarif: z.url() })
      .meta({ description: 'The scan by its id alone, the findings it saw, and its SARIF' }),
  })
  .meta({ id: 'Scan' })
export const ScanQuery = PageQuery.extend({ status: ScanStatus.optional() })
export const CreateScan = z.strictObject({
  engines: z
    .array(z.enum(['secrets', 'code', 'dependencies']))
    .min(1)
    .optional(),
  max_cost: z.number().positive().optional(),
})

export const FindingStatus = z.enum(findingStatuses)
export const FlowStep = flowStep.meta({ id: 'FlowStep' })
export const Location = findingLocation.omit({ snippet: true })
export const Finding = findingRecord
  .pick({
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
  })
  .extend({
    engine: Engine,
    locations: z.array(Location),
    /** Test, example, docs, vendored or build material (one severity lower); null for the product's own code. */
    context: FindingContextName.nullable(),
    /** A data-flow finding's path from source to sink, in order; null for the others. */
    flow: z.array(FlowStep).nullable(),
    advisory: z.object({ id: z.string(), aliases: z.array(z.string()), url: z.string().nullable() }).nullable(),
    dependency: z
      .object({
        ecosystem: z.string(),
        package: z.string(),
        version: z.string(),
        fixed_version: z.string().nullable().meta({ description: 'The fixed version nearest above the installed one' }),
        direct: z
          .boolean()
          .nullable()
          .meta({ description: 'Asked for by the project itself; null when the lockfile cannot tell' }),
        via: z.string().nullable().meta({
          description: 'For a transitive package: the direct dependency that pulls it in, when the lockfile says',
        }),
        scope: z.enum(dependencyScopes).nullable().meta({ description: 'null when the lockfile cannot tell' }),
        reachable: z.enum(reachabilities).meta({
          description:
            'Whether a non-test JavaScript, TypeScript or Python file of the pushed tree imports the package (unknown for other ecosystems)',
        }),
        advisory_data: z.object({ records: z.number().nullable(), synced_at: Timestamp.nullable() }).meta({
          description: "The advisory data this finding was matched against: the ecosystem's count and last sync",
        }),
      })
      .nullable()
      .meta({
        description: 'For a dependency finding: the package, what to upgrade to, how it got there; null otherwise',
      }),
    /** Why it is dismissed, by whom, when; null unless dismissed. */
    triage: z
      .object({
        reason: z.enum(dismissReasons),
        comment: z.string(),
        by: z.string(),
        at: Timestamp,
        via: z.string().nullable(),
      })
      .nullable(),
    /** A dismissal request of a critical finding, waiting for an admin. */
    pending_dismissal: z.object({ id: DismissalRequestId, expires_at: Timestamp }).nullable(),
  })
  .meta({ id: 'Finding' })
export const FindingDetail = Finding.extend({
  occurrences: z.array(z.object({ scan_id: ScanId, locations: z.array(Location) })),
  history: z.array(historyRecord.omit({ id: true }).extend({ at: Timestamp })),
}).meta({ id: 'FindingDetail' })
export const FindingQuery = PageQuery.extend({
  severity: Severity.optional(),
  status: FindingStatus.optional(),
  engine: Engine.optional(),
  rule: z.string().max(200).optional(),
  path: z.string().max(1024).optional(),
  /** Comma-separated contexts: `test,docs`; `none` is the product's own code. */
  context: ContextQuery.optional(),
  scan: ScanId.optional(),
  baseline: ScanId.optional(),
  only: z.enum(['new']).optional(),
})
export const DismissReason = z.enum(userDismissReasons)
export const UpdateFinding = z.strictObject({
  status: z.enum(['dismissed', 'open']),
  reason: DismissReason.optional(),
  comment: z.string().max(2000).optional(),
})
export const FindingFilter = z.strictObject({
  severity: Severity.optional(),
  status: FindingStatus.optional(),
  engine: Engine.optional(),
  rule: z.string().max(200).optional(),
  path: z.string().max(1024).optional(),
  /** Contexts to select: `["test", "docs"]`; `none` is the product's own code. */
  context: z.array(ContextFilterValue).min(1).max(6).optional(),
})
export const BulkTriage = z.strictObject({
  filter: FindingFilter,
  status: z.enum(['dismissed', 'open']),
  reason: DismissReason.optional(),
  comment: z.string().max(2000).optional(),
  dry_run: z.boolean().default(true),
})
export const BulkTriageOutcome = z
  .object({
    dry_run: z.boolean(),
    matched: z.number().int(),
    dismissed: z.number().int(),
    reopened: z.number().int(),
    requested: z.number().int(),
    unchanged: z.number().int(),
    truncated: z.boolean(),
  })
  .meta({ id: 'BulkTriageOutcome' })
export const CompareQuery = z.object({ base: ScanId, head: ScanId })
export const Comparison = z
  .object({ base: ScanId, head: ScanId, new: z.array(Finding), fixed: z.array(Finding), unchanged: z.array(Finding) })
  .meta({ id: 'Comparison' })

export const Suppression = suppressionRecord
  .pick({
    id: true,
    repository_id: true,
    fingerprint: true,
    rule: true,
    path: true,
    reason: true,
    owner: true,
    last_matched_scan_id: true,
  })
  .extend({
    status: z.enum(['active', 'expired']),
    expires_at: Timestamp.nullable(),
    last_matched_at: Timestamp.nullable(),
    created_at: Timestamp,
  })
  .meta({ id: 'Suppression' })
export const CreateSuppression = z
  .strictObject({
    fingerprint: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'a finding fingerprint (64 hex characters)')
      .optional(),
    rule: z.string().min(1).max(200).optional(),
    /** A glob over repository paths (`test/**`, `**\/*.spec.ts`); with `rule` only. */
    path: z.string().min(1).max(1024).optional(),
    reason: z.string().min(1).max(2000),
    expires_at: TimestampInput.optional(),
  })
  .superRefine((value, context) => {
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
  })

export const Event = eventRecord
  .pick({ id: true, repository_id: true, actor: true, data: true })
  // The type stays an open string on the wire: new kinds of event must not break a client's parser.
  .extend({ type: z.string(), created_at: Timestamp, at: deprecatedAt })
  .meta({ id: 'Event' })

export const UploadStatus = z.enum(uploadStatuses)
export const GitUpload = z
  .object({
    id: UploadId,
    repository_id: RepositoryId,
    status: UploadStatus,
    remote_url: z
      .string()
      .nullable()
      .meta({ description: 'Carries the one-time upload token; only in the create answer' }),
    bundle_upload_url: z.string().nullable(),
    push_max_bytes: z.number().int().meta({
      description:
        "The largest pack a git push to remote_url may carry; over it, upload a bundle (git's own output only says HTTP 413)",
    }),
    bundle_max_bytes: z.number().int().meta({ description: 'The largest bundle bundle_upload_url takes' }),
    complete_url: z.string().meta({ description: 'POST here after a bundle was PUT to bundle_upload_url' }),
    expires_at: Timestamp,
    scan_id: ScanId.nullable(),
    cost_estimate: CostEstimate.nullable(),
  })
  .meta({ id: 'GitUpload' })
export const CreateGitUpload = z.strictObject({
  repository_id: RepositoryId,
  expires_in_s: z.number().int().min(60).max(3600).optional(),
  /** The push is refused if its scan's estimate is above this (docs/billing.md). */
  max_cost: z.number().positive().optional(),
})
export const ExtendGitUpload = z.strictObject({ expires_in_s: z.number().int().min(60).max(3600) })

const DismissalStatus = z.enum(dismissalStatuses)
export const DismissalRequest = z
  .object({
    id: DismissalRequestId,
    finding_id: FindingId,
    repository_id: RepositoryId,
    status: DismissalStatus,
    reason: DismissReason,
    comment: z.string(),
    requested_by: UserId,
    decided_by: UserId.nullable(),
    decision_comment: z.string().nullable(),
    created_at: Timestamp,
    expires_at: Timestamp,
  })
  .meta({ id: 'DismissalRequest' })
export const DismissalQuery = PageQuery.extend({
  workspace_id: WorkspaceId.optional(),
  status: DismissalStatus.optional(),
})
export const Decision = z.strictObject({ comment: z.string().min(1).max(2000) })
export const SarifImport = z.object({ version: z.literal('2.1.0'), runs: z.array(z.unknown()).max(100) }).loose()
export const SarifImported = z.object({ scan_id: ScanId, findings: z.number().int() })

// Billing and operations (#9): docs/billing.md.
export const PriceEntry = z
  .object({
    effective_from: z.iso.date(),
    currency: z.string().length(3),
    per_scan: z.number(),
    per_gb_scanned: z.number().meta({ description: 'Per 10^9 bytes of files scanned' }),
    per_gb_second: z.number().meta({ description: 'Per GB-second of worker memory × duration, as Lambda counts it' }),
  })
  .meta({ id: 'PriceEntry' })
const CsvFormat = z
  .enum(['json', 'csv'])
  .optional()
  .meta({ description: 'csv answers text/csv as Accept: text/csv does; given, it wins over Accept' })
export const BillingQuery = z.object({
  workspace_id: WorkspaceId.optional(),
  from: z.iso.date().optional().meta({ description: 'First UTC day, inclusive; default the first of this month' }),
  to: z.iso.date().optional().meta({ description: 'Last UTC day, inclusive; default today' }),
  group_by: z.enum(['day', 'project', 'repository']).optional(),
  format: CsvFormat,
})
export const UsageQuery = PageQuery.extend({
  workspace_id: WorkspaceId.optional(),
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  project_id: ProjectId.optional(),
  repository_id: RepositoryId.optional(),
  format: CsvFormat,
})
const UsageFigures = z.object({
  scans: z.number(),
  files: z.number(),
  bytes: z.number(),
  commits: z.number(),
  duration_ms: z.number(),
  cost: z.number().meta({ description: "In the summary's currency" }),
})
export const BillingSummary = z
  .object({
    workspace_id: WorkspaceId,
    from: z.iso.date(),
    to: z.iso.date(),
    group_by: z.enum(['day', 'project', 'repository']).nullable(),
    currency: z.string().length(3),
    prices: z.array(PriceEntry).meta({ description: 'The price entries in force on some day of the period' }),
    totals: UsageFigures,
    groups: z.array(
      UsageFigures.extend({
        key: z.string().meta({ description: 'The day, project id or repository id' }),
        name: z
          .string()
          .nullable()
          .meta({ description: "The project's or repository's current name; null for days and deleted ones" }),
      }),
    ),
  })
  .meta({ id: 'BillingSummary' })
export const UsageLine = z
  .object({
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
  })
  .meta({ id: 'UsageLine' })

export const LimitName = z.enum(limitNames)
export const Limit = z.object({
  name: LimitName,
  limit: z.number(),
  used: z.number().nullable().meta({ description: 'Current use, where it is counted' }),
  unit: z.string(),
  source: z.enum(['default', 'workspace']),
})
export const Limits = z
  .object({
    workspace_id: WorkspaceId,
    limits: z.array(Limit),
    monthly_budget: z
      .object({
        amount: z.number().nullable(),
        currency: z.string().length(3),
        spent: z.number(),
        source: z.enum(['default', 'workspace']),
      })
      .meta({ description: 'amount null: no budget' }),
  })
  .meta({ id: 'Limits' })
export const UpdateLimits = z.strictObject({
  workspace_id: WorkspaceId.optional(),
  /** null puts a limit back to its default. */
  limits: z.partialRecord(LimitName, z.number().int().positive().nullable()).optional(),
  monthly_budget: z.number().positive().nullable().optional(),
})
const WorkerScan = z.object({
  id: ScanId,
  repository_id: RepositoryId,
  status: ScanStatus,
  created_at: Timestamp,
  started_at: Timestamp.nullable(),
  finished_at: Timestamp.nullable(),
  duration_ms: z.number().nullable(),
  error_code: z.string().nullable(),
})
export const Workers = z
  .object({
    workspace_id: WorkspaceId,
    queue: z
      .object({
        depth: z.number(),
        in_flight: z.number(),
        delayed: z.number(),
        dlq_depth: z.number(),
        oldest_age_s: z.number().nullable().meta({ description: 'Age of the oldest scan waiting in the queue' }),
        dlq_oldest_age_s: z.number().nullable(),
      })
      .meta({ description: 'The whole service: counts only, no tenant data' }),
    scans_by_state: z.object({
      queued: z.number(),
      running: z.number(),
      succeeded: z.number(),
      failed: z.number(),
      cancelled: z.number(),
    }),
    window_h: z
      .number()
      .meta({ description: 'scans_by_state, last_runs and failures cover scans created this many hours back' }),
    stuck_scans: z.array(WorkerScan),
    last_runs: z.array(WorkerScan),
    failures: z.array(WorkerScan),
    last_cleanup: z.object({ at: Timestamp, report: z.record(z.string(), z.unknown()) }).nullable(),
    advisories: z
      .array(
        z.object({
          ecosystem: z.string(),
          records: z.number(),
          synced_at: Timestamp.nullable(),
          last_modified: Timestamp.nullable().meta({ description: 'The newest advisory modification the sync saw' }),
          stale: z.boolean(),
        }),
      )
      .meta({
        description:
          'The advisory store per ecosystem Vega matches (shared by every workspace); stale when not synced within ADVISORY_STALE_AFTER_H hours (48 by default) or never',
      }),
    warnings: z.array(z.string()).meta({ description: 'What an operator should look at, in words' }),
  })
  .meta({ id: 'Workers' })
export const Cleanup = z.strictObject({
  dry_run: z.boolean().default(true),
  workspace_id: WorkspaceId.optional(),
})
const CleanupObjects = z.object({ count: z.number(), bytes: z.number(), keys: z.array(z.string()) })
export const CleanupReport = z
  .object({
    dry_run: z.boolean(),
    workspace_id: WorkspaceId.nullable(),
    expired_uploads: CleanupObjects.meta({
      description: 'Objects of uploads and sessions that expired or were released unused',
    }),
    orphans: CleanupObjects.meta({ description: 'Objects no upload, session or scan refers to' }),
    past_retention: CleanupObjects.meta({ description: "Scan inputs older than the workspace's retention_days" }),
    stuck_scans: z.object({ requeued: z.array(ScanId), failed: z.array(ScanId) }),
    dead_letters: z.number(),
    rate_limit_items: z.number(),
    truncated: z.boolean().meta({ description: 'More was found than one run handles; run again' }),
  })
  .meta({ id: 'CleanupReport' })
export const AdvisoryImport = z.strictObject({
  advisories: z.array(z.record(z.string(), z.unknown())).min(1).max(10_000),
})
export const AdvisoryImported = z.object({
  imported: z.number(),
  updated: z.number(),
  unchanged: z.number().meta({ description: 'Records the store already held at the same or a later modification' }),
  skipped: z.number(),
  notes: z.array(z.string()),
})

export const Session = z
  .object({
    id: SessionId,
    repository_id: RepositoryId,
    status: z.enum(['awaiting_upload', 'uploaded', 'analyzing', 'done', 'failed', 'expired']),
    upload_url: z.string().nullable(),
    expires_at: Timestamp,
    scan_id: ScanId.nullable(),
  })
  .meta({ id: 'Session', deprecated: true })
export const CreateSession = z.strictObject({ repository_id: RepositoryId, format: z.enum(['tar.gz', 'zip']) })
export const Deprecation = z
  .object({
    feature: z.string(),
    routes: z.array(z.string()),
    deprecated_at: Timestamp,
    sunset_at: Timestamp,
    replacement: z.string(),
    link: z.string(),
  })
  .meta({ id: 'Deprecation' })
