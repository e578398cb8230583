// Policies, dismissal requests and SARIF imports (the triage group).
import { dismissalStatuses } from '../../data/dismissals.js'
import { userDismissReasons } from '../../data/findings.js'
import { policyRecord } from '../../data/policies.js'
import { policyEffects } from '../../data/policy-values.js'
import { DismissalRequestId, FindingId, RepositoryId, ScanId, UserId, WorkspaceId } from '../../ids.js'
import * as z from '../../zod.js'
import { withMeta } from '../../zod.js'
import { PageQuery } from './common.js'
import { Timestamp } from './timestamp.js'

export const PolicyEffect = z.enum(policyEffects)
export const Policy = withMeta(policyRecord, { id: 'Policy' })
export const PolicyAnswer = withMeta(
  z.extend(Policy, {
    /** Where it comes from: set on this project or workspace, inherited from the workspace, or Vega's default. */
    source: z.enum(['project', 'workspace', 'default']),
  }),
  { id: 'PolicyAnswer' },
)
const DismissalStatus = z.enum(dismissalStatuses)
export const DismissalRequest = withMeta(
  z.object({
    id: DismissalRequestId,
    finding_id: FindingId,
    repository_id: RepositoryId,
    status: DismissalStatus,
    reason: z.enum(userDismissReasons),
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
