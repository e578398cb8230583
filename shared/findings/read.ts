// Findings as the routes see them: a repository's list with filters, one finding, and two scans compared.
import type { Access } from '../auth/access.js'
import { findRepository } from '../catalog/repositories.js'
import { findScan } from '../catalog/scans.js'
import type { PageRequest } from '../data/db.js'
import {
  type FindingFilters,
  type FindingRecord,
  getFinding,
  getFindings,
  listHistory,
  listOccurrences,
  queryFindings,
} from '../data/findings.js'
import { findingIdsOfScan } from '../data/scan-findings.js'
import { notFound } from '../http/errors.js'
import type { FindingId, RepositoryId, ScanId } from '../ids.js'
import { dependencyScopes, reachabilities } from '../scanning/engines/dependencies/types.js'

const text = (value: unknown) => (typeof value === 'string' && value ? value : null)
const oneOf = <T extends string>(value: unknown, allowed: readonly T[]): T | null =>
  allowed.includes(value as T) ? (value as T) : null

/** A dependency finding's package, as the engine described it in the finding's metadata. */
const dependencyOf = ({ metadata }: FindingRecord) => ({
  ecosystem: text(metadata.ecosystem) ?? '',
  package: text(metadata.package) ?? '',
  version: text(metadata.version) ?? '',
  fixed_version: text(metadata.fixed_version),
  direct: typeof metadata.direct === 'boolean' ? metadata.direct : null,
  via: text(metadata.via),
  scope: oneOf(metadata.scope, dependencyScopes),
  reachable: oneOf(metadata.reachable, reachabilities) ?? 'unknown',
  advisory_data: {
    records: typeof metadata.advisories_records === 'number' ? metadata.advisories_records : null,
    synced_at: text(metadata.advisories_synced_at),
  },
})

export const toFinding = (record: FindingRecord) => ({
  id: record.id,
  repository_id: record.repository_id,
  engine: record.engine,
  rule_id: record.rule_id,
  severity: record.severity,
  title: record.title,
  message: record.message,
  path: record.path,
  start_line: record.start_line,
  end_line: record.end_line,
  snippet: record.snippet,
  locations: record.locations.map(({ path, start_line, end_line, commit }) => ({
    path,
    start_line,
    end_line,
    ...(commit ? { commit } : {}),
  })),
  context: record.context ?? null,
  flow: record.flow ?? null,
  fingerprint: record.fingerprint,
  fingerprint_version: record.fingerprint_version,
  status: record.status,
  first_seen_scan_id: record.first_seen_scan_id,
  last_seen_scan_id: record.last_seen_scan_id,
  cwe: record.cwe,
  fix: record.fix,
  advisory:
    record.engine === 'dependencies'
      ? {
          id: record.rule_id,
          aliases: text(record.metadata.aliases)?.split(/,\s*/) ?? [],
          url: text(record.metadata.url),
        }
      : null,
  dependency: record.engine === 'dependencies' ? dependencyOf(record) : null,
  triage:
    record.status === 'dismissed' && record.dismissed_reason
      ? {
          reason: record.dismissed_reason,
          comment: record.dismissed_comment ?? '',
          by: record.dismissed_by ?? 'unknown',
          at: record.dismissed_at ?? record.updated_at,
          via: record.dismissed_via ?? null,
        }
      : null,
  pending_dismissal:
    record.pending_dismissal && Date.parse(record.pending_dismissal.expires_at) > Date.now()
      ? record.pending_dismissal
      : null,
})

export interface FindingQuery extends FindingFilters {
  scan?: ScanId
  baseline?: ScanId
  only?: 'new'
}

/**
 * The repository's findings, filtered. `scan` keeps those that scan saw; `only=new` with `baseline`
 * keeps those the baseline scan did not see, of `scan` or of those still present (not fixed).
 */
export async function list(access: Access, repositoryId: RepositoryId, page: PageRequest, query: FindingQuery) {
  await findRepository(access, repositoryId)
  const seenIn = async (scan: ScanId) => {
    await findScan(access, repositoryId, scan)
    return new Set(await findingIdsOfScan(scan))
  }
  const inScan = query.scan ? await seenIn(query.scan) : undefined
  const inBaseline = query.only === 'new' && query.baseline ? await seenIn(query.baseline) : undefined
  const found = await queryFindings(repositoryId, page, query)
  // `only=new` is what is present now (in `scan`, or not fixed) and absent from the baseline; what the
  // baseline had and the head lost is fixed, which `compare` answers.
  const present = (finding: { id: FindingId; status: string }) =>
    inScan ? inScan.has(finding.id) : query.only !== 'new' || finding.status !== 'fixed'
  const items = found.items.filter((finding) => present(finding) && !inBaseline?.has(finding.id))
  return { items: items.map(toFinding), lastKey: found.lastKey }
}

/** One finding with the scans that saw it (newest first, the last 20) and its triage history. */
export async function get(access: Access, repositoryId: RepositoryId, id: FindingId) {
  await findRepository(access, repositoryId)
  const finding = await getFinding(id)
  if (!finding || finding.repository_id !== repositoryId) throw notFound('Finding', id)
  const [occurrences, history] = await Promise.all([
    listOccurrences(id, { limit: 20 }),
    listHistory(id, { limit: 100 }),
  ])
  return {
    ...toFinding(finding),
    occurrences: occurrences.items.map(({ scan_id, locations }) => ({
      scan_id,
      locations: locations.map(({ path, start_line, end_line, commit }) => ({
        path,
        start_line,
        end_line,
        ...(commit ? { commit } : {}),
      })),
    })),
    history: history.items.map(({ at, actor, change, reason, comment }) => ({ at, actor, change, reason, comment })),
  }
}

/** What the head scan found that the base did not (new), the reverse (fixed), and both (unchanged). */
export async function compare(access: Access, repositoryId: RepositoryId, base: ScanId, head: ScanId) {
  await Promise.all([findScan(access, repositoryId, base), findScan(access, repositoryId, head)])
  const [before, after] = await Promise.all([findingIdsOfScan(base), findingIdsOfScan(head)])
  const inBase = new Set(before)
  const inHead = new Set(after)
  const render = async (ids: FindingId[]) => (await getFindings(ids)).map(toFinding)
  return {
    base,
    head,
    new: await render(after.filter((id) => !inBase.has(id))),
    fixed: await render(before.filter((id) => !inHead.has(id))),
    unchanged: await render(after.filter((id) => inBase.has(id))),
  }
}
