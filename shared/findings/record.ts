// What a finished scan found, stored once however often the scan is replayed: an occurrence per finding
// for this scan, the finding created, refreshed or reopened, and the findings it no longer sees fixed.

import { matchesGlob } from 'node:path'
import { findApiKeyBySha256, revokeApiKey } from '../data/api-keys.js'
import { appendEvent, systemActor } from '../data/append-event.js'
import type { PageRequest } from '../data/db.js'
import {
  createFinding,
  createNewFindings,
  dismissFinding,
  type FindingHome,
  type FindingRecord,
  type FindingView,
  findingsOfAliases,
  fixFindings,
  getFinding,
  getFindings,
  historyEntry,
  listFindingsOf,
  type OccurrenceRecord,
  putAlias,
  reopenDismissed,
  reopenFinding,
  type Sighting,
  type Triage,
  writeSightings,
} from '../data/findings.js'
import type { ScanRecord } from '../data/scans.js'
import { allSuppressions, isActive, markMatched, type SuppressionRecord } from '../data/suppressions.js'
import type { FindingId } from '../ids.js'
import type { EngineFinding } from '../scanning/engine.js'
import { apiKeyRevoked, findingsCreated, findingsReopened } from '../webhooks/emit.js'
import {
  contextKeyOf,
  findingIdOf,
  fingerprintOf,
  fingerprintVersionOf,
  normalisePath,
  secretFingerprintV1,
} from './fingerprint.js'

export interface RecordedFindings {
  total: number
  new: number
  reopened: number
  fixed: number
}

/** Engine findings with one fingerprint are one finding with all their locations. */
function merge(found: EngineFinding[]): Map<string, EngineFinding> {
  const byFingerprint = new Map<string, EngineFinding>()
  for (const finding of found) {
    const fingerprint = fingerprintOf(finding)
    const seen = byFingerprint.get(fingerprint)
    if (seen) seen.locations.push(...finding.locations)
    else byFingerprint.set(fingerprint, { ...finding, locations: [...finding.locations] })
  }
  return byFingerprint
}

/** How a scan sees a finding: what its sighting writes of it. */
export const viewOf = (finding: EngineFinding): FindingView => {
  const primary = finding.locations[0] ?? { path: '', start_line: 0, end_line: 0, snippet: '' }
  return {
    title: finding.title,
    message: finding.message,
    path: primary.path,
    start_line: primary.start_line,
    end_line: primary.end_line,
    snippet: primary.snippet,
    // A secret seen in thousands of files keeps the first hundred locations; the count says the rest.
    locations: finding.locations.slice(0, 100),
    context: finding.context ?? null,
    flow: finding.flow?.length ? finding.flow : null,
    metadata: {
      ...finding.metadata,
      ...(finding.locations.length > 100 ? { locations_total: finding.locations.length } : {}),
    },
  }
}

/** What the scan knows beyond its findings: the head's paths, to recognise renamed files. */
export interface RecordContext {
  headPaths?: Set<string>
}

export async function recordFindings(
  scan: ScanRecord,
  found: EngineFinding[],
  enginesRun: string[],
  context: RecordContext = {},
): Promise<RecordedFindings> {
  const counts: RecordedFindings = { total: 0, new: 0, reopened: 0, fixed: 0 }
  const suppressions = await allSuppressions(scan.repository_id)
  const matched = new Set<SuppressionRecord>()
  // The repository's open findings as recording starts, read beside what follows: a new finding may be
  // one of them whose file was renamed, and those this scan does not see are fixed once it is recorded.
  const openBefore = everyOpenFinding(scan.repository_id)
  openBefore.catch(() => undefined)
  const renames = renameFinder(openBefore, scan, context.headPaths)
  const merged = merge(found)
  // One batch read tells which findings exist already; only the others need the alias and rename checks.
  const ownIds = new Map(
    [...merged.keys()].map((fingerprint) => [fingerprint, findingIdOf(scan.repository_id, fingerprint)]),
  )
  const existing = new Map((await getFindings([...ownIds.values()])).map((finding) => [finding.id, finding]))
  // The others may be stored under another id: read their aliases, and the secrets' v1 ids, together.
  const unknown = [...merged.keys()].filter((fingerprint) => !existing.has(ownIds.get(fingerprint)!))
  const aliases = await findingsOfAliases(scan.repository_id, unknown)
  const legacy = await legacyFindings(
    scan,
    unknown.filter((fingerprint) => !aliases.has(fingerprint)).map((fingerprint) => merged.get(fingerprint)!),
  )
  // Each finding's occurrence and refresh touch only its own items: they are gathered and written 100 to
  // a request, a few requests at a time. Transitions move the repository's counters, so they go one
  // transaction after another: a finding at a time to reopen or dismiss, 50 at a time to create or fix.
  const writes = writeQueue(4)
  const sightings = gatheredSightings((occurrences, touched) =>
    writes.add(() => writeSightings(occurrences, touched, scan)),
  )
  // What webhooks are told, once the findings are stored.
  const created: FindingRecord[] = []
  const reopened: FindingRecord[] = []
  const fresh: { record: FindingRecord & FindingHome; view: FindingView; suppression?: SuppressionRecord }[] = []

  /** A finding stored already (or created meanwhile by another worker): triaged, reopened or refreshed. */
  const seenAgain = async (id: FindingId, view: FindingView, suppression: SuppressionRecord | undefined) => {
    const stored = existing.get(id) ?? (await getFinding(id))
    if (!stored) return
    // Created by this scan before a worker died: told again, which its event's id makes once.
    if (stored.first_seen_scan_id === scan.id && stored.status === 'open') created.push(stored)
    if (suppression && stored.status !== 'dismissed') {
      await dismissFinding(
        stored,
        triageOf(suppression),
        historyEntry(systemActor, 'dismissed', 'suppressed', suppression.reason),
      )
    } else if (!suppression && stored.status === 'dismissed' && lapsed(stored, suppressions)) {
      // The suppression that dismissed it expired or was deleted: the finding is open again.
      if (await reopenDismissed(stored, historyEntry(systemActor, 'reopened', null, 'its suppression ended'))) {
        counts.reopened++
        reopened.push(stored)
        await appendEvent(scan.repository_id, 'finding.reopened', systemActor, { finding_id: id, scan_id: scan.id })
      }
    } else if (stored.status === 'fixed' && (await reopenFinding(stored, scan, view))) {
      counts.reopened++
      reopened.push({ ...stored, ...view, last_seen_scan_id: scan.id })
      await appendEvent(scan.repository_id, 'finding.reopened', systemActor, { finding_id: id, scan_id: scan.id })
      return
    }
    await sightings.touch({ finding: stored, view })
  }

  for (const [fingerprint, finding] of merged) {
    counts.total++
    if (finding.engine === 'secrets' && finding.rule_id === 'vega-api-key') await revokeLeakedKey(scan, finding)
    const suppression = suppressions.find(
      (candidate) => isActive(candidate) && suppresses(candidate, fingerprint, finding),
    )
    if (suppression) matched.add(suppression)
    const view = viewOf(finding)
    const contextKey = finding.engine === 'secrets' ? undefined : contextKeyOf(finding)
    const own = ownIds.get(fingerprint)!
    const id = existing.has(own)
      ? own
      : (aliases.get(fingerprint) ??
        (await renames.predecessor(fingerprint, contextKey)) ??
        (await storedUnderV1(scan, fingerprint, finding, legacy)) ??
        own)
    await sightings.occurrence({
      finding_id: id,
      scan_id: scan.id,
      repository_id: scan.repository_id,
      locations: view.locations,
      snippet: view.snippet,
    })
    const now = new Date().toISOString()
    const record: FindingRecord & FindingHome = {
      ...view,
      id,
      repository_id: scan.repository_id,
      workspace_id: scan.workspace_id,
      project_id: scan.project_id,
      engine: finding.engine,
      rule_id: finding.rule_id,
      severity: finding.severity,
      cwe: finding.cwe,
      fix: finding.fix,
      fingerprint,
      fingerprint_version: fingerprintVersionOf(finding.engine),
      ...(contextKey ? { context_key: contextKey } : {}),
      status: 'open',
      first_seen_scan_id: scan.id,
      last_seen_scan_id: scan.id,
      created_at: now,
      updated_at: now,
      ...(suppression ? suppressedBy(suppression, now) : {}),
    }
    if (existing.has(id)) await seenAgain(id, view, suppression)
    // New under its own id: created with the others below. One an alias or a rename names is created
    // under that id only if it is not stored there (a dangling alias), as it always was.
    else if (id === own) fresh.push({ record, view, suppression })
    else if (await createFinding(record)) {
      counts.new++
      if (record.status === 'open') created.push(record)
    } else await seenAgain(id, view, suppression)
  }
  const createdNow = await createNewFindings(fresh.map(({ record }) => record))
  for (const { record, view, suppression } of fresh) {
    if (createdNow.has(record)) {
      counts.new++
      if (record.status === 'open') created.push(record)
    } else await seenAgain(record.id, view, suppression)
  }
  // Once every sighting is written, the open findings this scan did not see are fixed.
  await sightings.flush()
  await writes.drain()
  for (const suppression of matched) await markMatched(suppression, scan.id)
  counts.fixed = await fixUnseen(scan, enginesRun, await openBefore, sightings.seen)
  await findingsCreated(scan.workspace_id, created)
  await findingsReopened(
    scan.workspace_id,
    reopened.map((finding) => ({ finding, because: scan.id })),
  )
  return counts
}

/** At most `width` writes at a time; `drain` waits for every one and fails with the first failure. */
function writeQueue(width: number) {
  const running = new Set<Promise<void>>()
  const all: Promise<void>[] = []
  return {
    async add(write: () => Promise<void>): Promise<void> {
      while (running.size >= width) await Promise.race(running)
      const done: Promise<void> = write().finally(() => running.delete(done))
      // Failures surface in `add` or `drain`; this only keeps one from going unhandled meanwhile.
      done.catch(() => undefined)
      running.add(done)
      all.push(done)
    },
    drain: async () => void (await Promise.all(all)),
  }
}

/** Items one write of sightings holds at most (a transaction's limit). */
const sightingsPerWrite = 100

/**
 * Occurrences and refreshes gathered, and handed to `send` 100 at a time (the rest by `flush`). One of each
 * per finding: when two fingerprints name one finding (through an alias) it is written as the first of
 * them saw it, as sending them one after the other came to (the second refresh found its condition spent),
 * and one request may not name an item twice.
 */
function gatheredSightings(send: (occurrences: OccurrenceRecord[], touched: Sighting[]) => Promise<void>) {
  const occurred = new Set<FindingId>()
  const touchedIds = new Set<FindingId>()
  let occurrences: OccurrenceRecord[] = []
  let touched: Sighting[] = []
  const flush = async () => {
    if (occurrences.length + touched.length === 0) return
    const [these, those] = [occurrences, touched]
    occurrences = []
    touched = []
    await send(these, those)
  }
  const full = () => occurrences.length + touched.length >= sightingsPerWrite
  return {
    async occurrence(occurrence: OccurrenceRecord): Promise<void> {
      if (occurred.has(occurrence.finding_id)) return
      occurred.add(occurrence.finding_id)
      occurrences.push(occurrence)
      if (full()) await flush()
    },
    async touch(sighting: Sighting): Promise<void> {
      if (touchedIds.has(sighting.finding.id)) return
      touchedIds.add(sighting.finding.id)
      touched.push(sighting)
      if (full()) await flush()
    },
    flush,
    /** Every finding an occurrence was written for. */
    seen: occurred as ReadonlySet<FindingId>,
  }
}

/** A suppression binds one fingerprint, or a rule on the paths its glob matches (any location counts). */
function suppresses(suppression: SuppressionRecord, fingerprint: string, finding: EngineFinding): boolean {
  if (suppression.fingerprint) return suppression.fingerprint === fingerprint
  if (suppression.rule !== finding.rule_id) return false
  const glob = suppression.path
  return !glob || finding.locations.some((location) => matchesGlob(normalisePath(location.path), glob))
}

const triageOf = (suppression: SuppressionRecord): Triage => ({
  reason: 'suppressed',
  comment: suppression.reason,
  by: suppression.owner,
  via: suppression.id,
})

/** A new finding a suppression covers is created dismissed, as dismissFinding() would leave it. */
const suppressedBy = (suppression: SuppressionRecord, at: string) => {
  const { reason, comment, by, via } = triageOf(suppression)
  return {
    status: 'dismissed' as const,
    dismissed_reason: reason,
    dismissed_comment: comment,
    dismissed_by: by,
    dismissed_via: via,
    dismissed_at: at,
  }
}

/** Dismissed by a suppression that no longer holds. */
const lapsed = (finding: FindingRecord, suppressions: SuppressionRecord[]) => {
  if (finding.dismissed_reason !== 'suppressed') return false
  const by = suppressions.find((suppression) => suppression.id === finding.dismissed_via)
  return !by || !isActive(by)
}

/** Of these secret findings, the v1 ids (unkeyed fingerprints) a finding is stored under, read together. */
async function legacyFindings(scan: ScanRecord, findings: EngineFinding[]): Promise<Set<FindingId>> {
  const ids = findings
    .filter((finding) => finding.engine === 'secrets')
    .map((finding) => findingIdOf(scan.repository_id, secretFingerprintV1(finding)))
  return new Set((await getFindings(ids)).map((finding) => finding.id))
}

/**
 * A secret finding stored under its v1 fingerprint (unkeyed) is the same finding: the v2 fingerprint
 * becomes its alias, so its triage carries over and later scans name it directly.
 */
async function storedUnderV1(
  scan: ScanRecord,
  fingerprint: string,
  finding: EngineFinding,
  legacy: ReadonlySet<FindingId>,
): Promise<FindingId | undefined> {
  if (finding.engine !== 'secrets') return undefined
  const id = findingIdOf(scan.repository_id, secretFingerprintV1(finding))
  if (!legacy.has(id)) return undefined
  await putAlias(scan.repository_id, fingerprint, id)
  return id
}

/**
 * A new code or dependency finding whose rule and matched context equal those of an open finding whose
 * file is gone from the head is that finding, moved: its file was renamed. The new fingerprint becomes
 * an alias of the old finding, so later scans name it directly.
 */
function renameFinder(openBefore: Promise<FindingRecord[]>, scan: ScanRecord, headPaths: Set<string> | undefined) {
  let orphans: Map<string, FindingRecord[]> | undefined
  const load = async () => {
    const byContext = new Map<string, FindingRecord[]>()
    for (const finding of await openBefore) {
      if (!finding.context_key || headPaths?.has(finding.path)) continue
      byContext.set(finding.context_key, [...(byContext.get(finding.context_key) ?? []), finding])
    }
    return byContext
  }
  return {
    async predecessor(fingerprint: string, contextKey: string | undefined): Promise<FindingId | undefined> {
      if (!headPaths || !contextKey) return undefined
      orphans ??= await load()
      const moved = orphans.get(contextKey)?.shift()
      if (!moved) return undefined
      await putAlias(scan.repository_id, fingerprint, moved.id)
      return moved.id
    },
  }
}

/** A repository's open findings, every page. */
async function everyOpenFinding(repository: ScanRecord['repository_id']): Promise<FindingRecord[]> {
  const open: FindingRecord[] = []
  let startKey: PageRequest['startKey']
  do {
    const page = await listFindingsOf(repository, { limit: 500, startKey }, 'open')
    open.push(...page.items)
    startKey = page.lastKey
  } while (startKey)
  return open
}

/**
 * Open findings of the engines this complete scan ran, which it did not see: fixed. They are told apart
 * from the findings open when recording began and the ones this scan saw (the sightings it wrote); the fix
 * itself still holds only while the finding is open and no scan as new as this one saw it.
 */
async function fixUnseen(
  scan: ScanRecord,
  enginesRun: string[],
  openBefore: FindingRecord[],
  seen: ReadonlySet<FindingId>,
): Promise<number> {
  const unseen = openBefore.filter(
    (finding) => enginesRun.includes(finding.engine) && !seen.has(finding.id) && finding.last_seen_scan_id < scan.id,
  )
  return (await fixFindings(unseen, scan)).size
}

/**
 * A Vega API key in pushed code is revoked on the spot, by its hash (the secret engine's identity is the
 * SHA-256 of the value, which is how keys are stored). The finding and the timeline say so.
 */
async function revokeLeakedKey(scan: ScanRecord, finding: EngineFinding): Promise<void> {
  const key = await findApiKeyBySha256(finding.identity)
  const said = finding.message.replace(/\s*Vega revokes this key\.$/, '')
  if (!key) {
    finding.metadata = { ...finding.metadata, vega_key: 'unknown' }
    finding.message = `${said} It is no key of this Vega deployment; nothing was revoked.`
    return
  }
  const revokedNow = await revokeApiKey(finding.identity, 'leaked')
  // Told when this scan revoked it, or when an earlier run of it did and died before telling (once either way).
  if (revokedNow || key.revoked_reason === 'leaked')
    await apiKeyRevoked(key, {
      reason: 'leaked',
      at: key.revoked_at ?? new Date().toISOString(),
      found_in: { workspace_id: scan.workspace_id, repository_id: scan.repository_id, scan_id: scan.id },
    })
  finding.metadata = { ...finding.metadata, vega_key: 'revoked', vega_key_id: key.id }
  finding.message = `${said} Vega revoked this key (${key.id}) when the scan found it.`
  if (revokedNow)
    await appendEvent(scan.repository_id, 'api_key.revoked', systemActor, {
      key_id: key.id,
      reason: 'leaked',
      scan_id: scan.id,
    })
}
