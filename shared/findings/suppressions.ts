// Suppressions as the routes see them: list (or only the unused ones), create, delete. A deleted
// suppression gives its findings back at once; an expired one at the next scan that sees them.
import { type Access, eventActor } from '../auth/access.js'
import { findRepository } from '../catalog/repositories.js'
import type { PageRequest } from '../data/db.js'
import { type FindingRecord, historyEntry, listFindingsOf, reopenDismissed } from '../data/findings.js'
import {
  deleteSuppression,
  getSuppression,
  isActive,
  listSuppressions,
  putSuppression,
  type SuppressionRecord,
} from '../data/suppressions.js'
import { notFound } from '../http/errors.js'
import { newId, type RepositoryId, type SuppressionId } from '../ids.js'

export const toSuppression = (record: SuppressionRecord) => ({
  id: record.id,
  repository_id: record.repository_id,
  fingerprint: record.fingerprint,
  rule: record.rule,
  path: record.path,
  reason: record.reason,
  owner: record.owner,
  status: isActive(record) ? ('active' as const) : ('expired' as const),
  expires_at: record.expires_at,
  last_matched_at: record.last_matched_at,
  last_matched_scan_id: record.last_matched_scan_id,
  created_at: record.created_at,
})

/** `unused` keeps the suppressions that matched nothing in the repository's last scan. */
export async function list(access: Access, repositoryId: RepositoryId, page: PageRequest, unused = false) {
  const repository = await findRepository(access, repositoryId)
  const found = await listSuppressions(repositoryId, page)
  const items = found.items.filter(
    (suppression) => !unused || suppression.last_matched_scan_id !== repository.last_scan_id,
  )
  return { items: items.map(toSuppression), lastKey: found.lastKey }
}

export async function create(
  access: Access,
  repositoryId: RepositoryId,
  input: { fingerprint?: string; rule?: string; path?: string; reason: string; expires_at?: string },
) {
  const repository = await findRepository(access, repositoryId)
  const suppression: SuppressionRecord = {
    id: newId('suppression'),
    repository_id: repository.id,
    workspace_id: repository.workspace_id,
    fingerprint: input.fingerprint ?? null,
    rule: input.rule ?? null,
    path: input.path ?? null,
    reason: input.reason,
    owner: eventActor(access.actor).id ?? 'unknown',
    expires_at: input.expires_at ?? null,
    last_matched_at: null,
    last_matched_scan_id: null,
    created_at: new Date().toISOString(),
  }
  await putSuppression(suppression)
  return toSuppression(suppression)
}

export async function remove(access: Access, repositoryId: RepositoryId, id: SuppressionId) {
  await findRepository(access, repositoryId)
  const suppression = await getSuppression(repositoryId, id)
  if (!suppression) throw notFound('Suppression', id)
  await deleteSuppression(repositoryId, id)
  const actor = eventActor(access.actor)
  for (const finding of await dismissedBy(repositoryId, id)) {
    await reopenDismissed(finding, historyEntry(actor, 'reopened', null, `suppression ${id} was deleted`))
  }
}

async function dismissedBy(repositoryId: RepositoryId, suppression: SuppressionId): Promise<FindingRecord[]> {
  const found: FindingRecord[] = []
  let startKey: PageRequest['startKey']
  do {
    const page = await listFindingsOf(repositoryId, { limit: 500, startKey }, 'dismissed')
    found.push(...page.items.filter((finding) => finding.dismissed_via === suppression))
    startKey = page.lastKey
  } while (startKey)
  return found
}
