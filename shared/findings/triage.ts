// Triage: dismiss with a reason or reopen, one finding or many by filter. Dismissing a critical finding
// asks an admin first (a dismissal request); until approved the finding stays open.

import { type Access, defaultWorkspace, eventActor, inWorkspace } from '../auth/access.js'
import { userOf } from '../auth/principal.js'
import { findRepository } from '../catalog/repositories.js'
import { config } from '../config.js'
import { appendEvent } from '../data/append-event.js'
import type { PageRequest } from '../data/db.js'
import {
  type DismissalRecord,
  decideDismissal,
  dismissalStatusOf,
  getDismissal,
  listDismissals,
  putDismissal,
} from '../data/dismissals.js'
import {
  addHistory,
  clearPendingDismissal,
  type DismissReason,
  dismissFinding,
  type FindingFilters,
  type FindingRecord,
  getFinding,
  type HistoryEntry,
  historyEntry,
  markPendingDismissal,
  queryFindings,
  reopenDismissed,
} from '../data/findings.js'
import { conflict, forbidden, gone, notFound, validationFailed } from '../http/errors.js'
import {
  type DismissalRequestId,
  type FindingId,
  newId,
  type RepositoryId,
  type UserId,
  type WorkspaceId,
} from '../ids.js'
import { dismissalRequested, findingsReopened } from '../webhooks/emit.js'
import { toFinding } from './read.js'

type PersonReason = Exclude<DismissReason, 'suppressed'>

export interface TriageChange {
  status: 'dismissed' | 'open'
  reason?: PersonReason
  comment?: string
}

const entry = (access: Access, change: HistoryEntry['change'], reason: string | null, comment: string | null) =>
  historyEntry(eventActor(access.actor), change, reason, comment)

async function findFinding(access: Access, repositoryId: RepositoryId, id: FindingId) {
  const repository = await findRepository(access, repositoryId)
  const finding = await getFinding(id)
  if (!finding || finding.repository_id !== repositoryId) throw notFound('Finding', id)
  return { finding, workspace: repository.workspace_id }
}

/** A live request already waiting for this finding, if any. */
const waiting = (finding: FindingRecord) =>
  finding.pending_dismissal && Date.parse(finding.pending_dismissal.expires_at) > Date.now()
    ? finding.pending_dismissal
    : undefined

/** What one change does to one finding; `dryRun` says what would happen and writes nothing. */
async function apply(
  access: Access,
  workspace: WorkspaceId,
  finding: FindingRecord,
  change: TriageChange,
  dryRun = false,
): Promise<'dismissed' | 'reopened' | 'requested' | 'unchanged'> {
  if (change.status === 'open') {
    if (finding.status !== 'dismissed') return 'unchanged'
    if (dryRun) return 'reopened'
    const step = entry(access, 'reopened', null, change.comment ?? null)
    if (!(await reopenDismissed(finding, step))) return 'unchanged'
    await appendEvent(finding.repository_id, 'finding.reopened', step.actor, { finding_id: finding.id, by: 'triage' })
    await findingsReopened(workspace, [{ finding, because: step.id }])
    return 'reopened'
  }
  if (finding.status === 'dismissed') return 'unchanged'
  const reason = change.reason!
  const comment = change.comment ?? ''
  if (finding.severity === 'critical' && finding.status === 'open') {
    if (waiting(finding)) return 'unchanged'
    if (dryRun) return 'requested'
    await requestDismissal(access, finding, reason, comment)
    return 'requested'
  }
  if (dryRun) return 'dismissed'
  const step = entry(access, 'dismissed', reason, comment)
  const by = step.actor.id ?? 'unknown'
  if (!(await dismissFinding(finding, { reason, comment, by }, step))) return 'unchanged'
  await appendEvent(finding.repository_id, 'finding.dismissed', step.actor, { finding_id: finding.id, reason })
  return 'dismissed'
}

function checkChange(change: TriageChange) {
  if (change.status === 'dismissed' && !change.reason)
    throw validationFailed([{ path: 'body.reason', message: 'a dismissal needs a reason' }])
}

/** PATCH one finding. A critical one answers still open, with its pending dismissal request. */
export async function update(access: Access, repositoryId: RepositoryId, id: FindingId, change: TriageChange) {
  checkChange(change)
  const { finding, workspace } = await findFinding(access, repositoryId, id)
  if (change.status === 'dismissed' && finding.severity === 'critical' && waiting(finding))
    throw conflict(`Finding ${id} already has a dismissal request waiting for an admin`, {
      dismissal_request_id: finding.pending_dismissal!.id,
    })
  await apply(access, workspace, finding, change)
  return toFinding((await getFinding(id))!)
}

/** Triage every finding a filter selects; with `dry_run` (the default) only counts what would change. */
export async function bulk(
  access: Access,
  repositoryId: RepositoryId,
  input: TriageChange & { filter: FindingFilters; dry_run: boolean },
) {
  checkChange(input)
  const { workspace_id: workspace } = await findRepository(access, repositoryId)
  const limit = config().TRIAGE_BULK_MAX
  const outcome = { matched: 0, dismissed: 0, reopened: 0, requested: 0, unchanged: 0, truncated: false }
  let startKey: PageRequest['startKey']
  do {
    const page = await queryFindings(repositoryId, { limit: 200, startKey }, input.filter)
    for (const finding of page.items) {
      if (outcome.matched === limit) {
        outcome.truncated = true
        break
      }
      outcome.matched++
      outcome[await apply(access, workspace, finding, input, input.dry_run)]++
    }
    startKey = outcome.truncated ? undefined : page.lastKey
  } while (startKey)
  return { dry_run: input.dry_run, ...outcome }
}

async function requestDismissal(access: Access, finding: FindingRecord, reason: PersonReason, comment: string) {
  const requester = userOf(access.actor)
  if (!requester) throw forbidden('Dismissing a critical finding needs a person: use a personal key or sign in')
  const repository = await findRepository(access, finding.repository_id)
  const now = new Date()
  const request: DismissalRecord = {
    id: newId('dismissalRequest'),
    workspace_id: repository.workspace_id,
    repository_id: finding.repository_id,
    finding_id: finding.id,
    status: 'pending',
    reason,
    comment,
    requested_by: requester,
    decided_by: null,
    decision_comment: null,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + config().DISMISSAL_REQUEST_TTL_S * 1000).toISOString(),
  }
  const step = entry(access, 'dismissal_requested', reason, comment)
  if (!(await markPendingDismissal(finding.id, { id: request.id, expires_at: request.expires_at }, step)))
    throw conflict(`Finding ${finding.id} changed meanwhile; read it again`)
  await putDismissal(request)
  await dismissalRequested(request)
}

export const toDismissal = (request: DismissalRecord) => ({
  id: request.id,
  finding_id: request.finding_id,
  repository_id: request.repository_id,
  status: dismissalStatusOf(request),
  reason: request.reason,
  comment: request.comment,
  requested_by: request.requested_by,
  decided_by: request.decided_by,
  decision_comment: request.decision_comment,
  created_at: request.created_at,
  expires_at: request.expires_at,
})

export async function listRequests(
  access: Access,
  page: PageRequest,
  query: { workspace_id?: WorkspaceId; status?: DismissalRecord['status'] | 'expired' },
) {
  const workspace = query.workspace_id ?? (await defaultWorkspace(access.actor))
  await access.authorize(workspace, () => notFound('Workspace', workspace))
  // `expired` is not stored: read the pending ones and keep those past their time, and the reverse.
  const stored = query.status === 'expired' ? 'pending' : query.status
  const found = await listDismissals(workspace, page, stored)
  const items = found.items.map(toDismissal).filter((request) => !query.status || request.status === query.status)
  return { items, lastKey: found.lastKey }
}

/** An admin approves (the finding is dismissed with the request's reason) or denies (it stays open). */
export async function decide(access: Access, id: DismissalRequestId, decision: { approve: boolean; comment: string }) {
  const request = await inWorkspace(access, await getDismissal(id), 'Dismissal request', id)
  const decider = userOf(access.actor) as UserId | undefined
  if (!decider) throw forbidden('A person decides dismissal requests: use a personal key or sign in')
  if (decider === request.requested_by) throw forbidden('A dismissal request is decided by another admin')
  const status = dismissalStatusOf(request)
  if (status === 'expired') throw gone(`Dismissal request ${id} expired at ${request.expires_at}`)
  if (status !== 'pending') throw conflict(`Dismissal request ${id} was already ${status}`)
  const outcome = decision.approve ? 'approved' : 'denied'
  if (!(await decideDismissal(id, { status: outcome, by: decider, comment: decision.comment })))
    throw conflict(`Dismissal request ${id} was decided meanwhile`)
  const finding = await getFinding(request.finding_id)
  if (finding && decision.approve) {
    const step = entry(access, 'dismissed', request.reason, `${request.comment} — approved: ${decision.comment}`)
    const triage = { reason: request.reason, comment: request.comment, by: request.requested_by, via: id }
    if (await dismissFinding(finding, triage, step))
      await appendEvent(finding.repository_id, 'finding.dismissed', step.actor, {
        finding_id: finding.id,
        reason: request.reason,
        dismissal_request_id: id,
      })
  } else if (finding) {
    await clearPendingDismissal(finding.id, id)
    await addHistory(finding.id, entry(access, 'dismissal_denied', request.reason, decision.comment))
  }
  return toDismissal({ ...request, status: outcome, decided_by: decider, decision_comment: decision.comment })
}
