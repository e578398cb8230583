// What a finished scan found, stored once however often the scan is replayed: an occurrence per finding
// for this scan, the finding created, refreshed or reopened, and the findings it no longer sees fixed.
import { findApiKeyBySha256, revokeApiKey } from '../data/api-keys.js'
import type { PageRequest } from '../data/db.js'
import { appendEvent } from '../data/events.js'
import {
  createFinding,
  type FindingRecord,
  type FindingView,
  fixFinding,
  getFinding,
  listFindingsOf,
  putOccurrence,
  reopenFinding,
  touchFinding,
} from '../data/findings.js'
import type { ScanRecord } from '../data/scans.js'
import type { EngineFinding } from '../scanning/engine.js'
import { findingIdOf, fingerprintOf, fingerprintVersion } from './fingerprint.js'

export interface RecordedFindings {
  total: number
  new: number
  reopened: number
  fixed: number
}

const system = { type: 'system' as const, id: null }

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

const viewOf = (finding: EngineFinding): FindingView => {
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
    metadata: {
      ...finding.metadata,
      ...(finding.locations.length > 100 ? { locations_total: finding.locations.length } : {}),
    },
  }
}

export async function recordFindings(
  scan: ScanRecord,
  found: EngineFinding[],
  enginesRun: string[],
): Promise<RecordedFindings> {
  const counts: RecordedFindings = { total: 0, new: 0, reopened: 0, fixed: 0 }
  for (const [fingerprint, finding] of merge(found)) {
    counts.total++
    const id = findingIdOf(scan.repository_id, fingerprint)
    if (finding.engine === 'secrets' && finding.rule_id === 'vega-api-key') await revokeLeakedKey(scan, finding)
    const view = viewOf(finding)
    await putOccurrence({
      finding_id: id,
      scan_id: scan.id,
      repository_id: scan.repository_id,
      locations: view.locations,
      snippet: view.snippet,
    })
    const now = new Date().toISOString()
    const record: FindingRecord = {
      ...view,
      id,
      repository_id: scan.repository_id,
      engine: finding.engine,
      rule_id: finding.rule_id,
      severity: finding.severity,
      cwe: finding.cwe,
      fix: finding.fix,
      fingerprint,
      fingerprint_version: fingerprintVersion,
      status: 'open',
      first_seen_scan_id: scan.id,
      last_seen_scan_id: scan.id,
      created_at: now,
      updated_at: now,
    }
    if (await createFinding(record)) {
      counts.new++
      continue
    }
    const stored = await getFinding(id)
    if (stored?.status === 'fixed' && (await reopenFinding(stored, scan.id, view))) {
      counts.reopened++
      await appendEvent(scan.repository_id, 'finding.reopened', system, { finding_id: id, scan_id: scan.id })
    } else {
      await touchFinding(id, scan.id, view)
    }
  }
  counts.fixed = await fixUnseen(scan, enginesRun)
  return counts
}

/** Open findings of the engines this complete scan ran, which it did not see: fixed. */
async function fixUnseen(scan: ScanRecord, enginesRun: string[]): Promise<number> {
  let fixed = 0
  let startKey: PageRequest['startKey']
  do {
    const page = await listFindingsOf(scan.repository_id, { limit: 200, startKey }, 'open')
    for (const finding of page.items) {
      if (!enginesRun.includes(finding.engine) || finding.last_seen_scan_id >= scan.id) continue
      if (await fixFinding(finding, scan.id)) fixed++
    }
    startKey = page.lastKey
  } while (startKey)
  return fixed
}

/**
 * A Vega API key in pushed code is revoked on the spot, by its hash (the secret engine's identity is the
 * SHA-256 of the value, which is how keys are stored). The finding and the timeline say so.
 */
async function revokeLeakedKey(scan: ScanRecord, finding: EngineFinding): Promise<void> {
  const key = await findApiKeyBySha256(finding.identity)
  if (!key) {
    finding.metadata = { ...finding.metadata, vega_key: 'unknown' }
    return
  }
  const revokedNow = await revokeApiKey(finding.identity)
  finding.metadata = { ...finding.metadata, vega_key: 'revoked', vega_key_id: key.id }
  finding.message = `${finding.message} Vega revoked this key (${key.id}) when the scan found it.`
  if (revokedNow)
    await appendEvent(scan.repository_id, 'api_key.revoked', system, {
      key_id: key.id,
      reason: 'leaked',
      scan_id: scan.id,
    })
}
