// SARIF both ways: a scan exported for GitHub code scanning (with baseline states against the previous
// scan and suppressions for dismissed findings), and a third-party tool's log imported as a scan.
import { createHash } from 'node:crypto'
import { type Access, eventActor } from '../auth/access.js'
import { recordScanToRunNow } from '../catalog/queue-scan.js'
import { findRepository } from '../catalog/repositories.js'
import { findScan } from '../catalog/scans.js'
import { derivedKey } from '../crypto/secret.js'
import { appendEvent } from '../data/append-event.js'
import { dismissFinding, getFindings, historyEntry, occurrencesOfScan } from '../data/findings.js'
import { recordLastScan } from '../data/repositories.js'
import { finishScan, getScan, listScansOfRepository, type ScanRecord, startScan } from '../data/scans.js'
import { etagOf, heldBy, Reply } from '../http/reply.js'
import type { RepositoryId, ScanId } from '../ids.js'
import { contextOf } from '../scanning/context.js'
import { type EngineFinding, type FindingContext, findingContexts, type Severity } from '../scanning/engine.js'
import { matchSecrets } from '../scanning/engines/secrets/matcher.js'
import { redactedSnippet } from '../scanning/engines/secrets/redact.js'
import { scanFinished } from '../webhooks/emit.js'
import { findingIdOf, fingerprintOf } from './fingerprint.js'
import { gateOf } from './gate.js'
import { recordFindings } from './record.js'
import { type SarifFinding, toSarif } from './sarif.js'

const toolVersion = '0.1.0'

export async function exportScan(access: Access, repositoryId: RepositoryId, scanId: ScanId, ifNoneMatch?: string) {
  const scan = await findScan(access, repositoryId, scanId)
  const occurrences = await occurrencesOfScan(scan.id)
  const findings = new Map((await getFindings(occurrences.map((o) => o.finding_id))).map((f) => [f.id, f]))
  const previous = (await listScansOfRepository(repositoryId, { limit: 50 }, 'succeeded')).items.find(
    (candidate) => candidate.id < scan.id,
  )
  const before = new Set(previous ? (await occurrencesOfScan(previous.id)).map((o) => o.finding_id) : [])
  const results: SarifFinding[] = occurrences.flatMap((occurrence) => {
    const finding = findings.get(occurrence.finding_id)
    if (!finding) return []
    return [
      {
        ...finding,
        locations: occurrence.locations,
        ...(previous ? { baseline_state: before.has(finding.id) ? ('unchanged' as const) : ('new' as const) } : {}),
        ...(finding.status === 'dismissed'
          ? { justification: `${finding.dismissed_reason}: ${finding.dismissed_comment ?? ''}`.trim() }
          : {}),
      },
    ]
  })
  // One category per repository (GitHub keeps one analysis per category), the scan as the run id.
  const log = toSarif(results, { version: toolVersion, automationId: `vega/${repositoryId}/${scan.id}` })
  const body = `${JSON.stringify(log)}\n`
  // The export changes with triage (suppressions) and later scans (baseline states): revalidated, not kept.
  const caching = {
    etag: etagOf(body),
    'cache-control': 'private, no-cache',
    vary: 'Authorization, private-token',
  }
  if (heldBy(ifNoneMatch, caching.etag)) return new Reply(304, undefined, caching)
  return Reply.text(body, 'application/sarif+json', {
    ...caching,
    'content-disposition': `attachment; filename="${scan.id}.sarif"`,
  })
}

const levelSeverity: Record<string, Severity> = { error: 'high', warning: 'medium', note: 'low', none: 'info' }

interface SarifResult {
  ruleId?: string
  rule?: { id?: string }
  level?: string
  message?: { text?: string }
  locations?: {
    physicalLocation?: {
      artifactLocation?: { uri?: string }
      region?: { startLine?: number; endLine?: number; snippet?: { text?: string } }
    }
  }[]
  partialFingerprints?: Record<string, string>
  fingerprints?: Record<string, string>
  suppressions?: { kind?: string; status?: string; justification?: string }[]
  properties?: { 'security-severity'?: string; severity?: string; context?: string }
}

interface SarifRule {
  id?: string
  shortDescription?: { text?: string }
  help?: { text?: string }
  properties?: { tags?: string[]; 'security-severity'?: string }
}

interface SarifRun {
  tool?: { driver?: { name?: string; rules?: SarifRule[] } }
  results?: SarifResult[]
}

/** A CVSS-like security-severity (GitHub's convention) or the level, as a Vega severity. */
function severityOf(result: SarifResult, rule: SarifRule | undefined): Severity {
  const named = result.properties?.severity
  if (named && ['critical', 'high', 'medium', 'low', 'info'].includes(named)) return named as Severity
  const score = Number(result.properties?.['security-severity'] ?? rule?.properties?.['security-severity'])
  if (Number.isFinite(score))
    return score >= 9 ? 'critical' : score >= 7 ? 'high' : score >= 4 ? 'medium' : score > 0 ? 'low' : 'info'
  return levelSeverity[result.level ?? 'warning'] ?? 'medium'
}

const sanitizeTool = (name: string) => name.replace(/[^\w.-]/g, '-').slice(0, 64) || 'unknown'

const maxResultsPerRun = 20_000

/**
 * A third-party tool may write the secret it found into the snippet or the message (gitleaks puts the
 * value in the snippet): what Vega's own secret rules recognise there is redacted as Vega redacts its own.
 */
function redactForeign(text: string, path: string, key: Uint8Array): string {
  if (!text) return text
  const { matches } = matchSecrets(text, path)
  if (!matches.length) return text
  const secrets = matches.map((match) => ({ secret: match.secret, value: match.value, ruleId: match.rule.id }))
  return text
    .split('\n')
    .map((line) => redactedSnippet(line, 0, secrets, key))
    .join('\n')
}

function findingOf(
  result: SarifResult,
  engine: `sarif:${string}`,
  rules: Map<string, SarifRule>,
  key: Uint8Array,
): EngineFinding {
  const ruleId = (result.ruleId ?? result.rule?.id ?? 'unknown').slice(0, 200)
  const rule = rules.get(ruleId)
  const location = result.locations?.[0]?.physicalLocation
  const path = safeDecode(location?.artifactLocation?.uri ?? '')
    .replace(/^file:\/\//, '')
    .slice(0, 1024)
  const startLine = location?.region?.startLine ?? 1
  const message = redactForeign(
    (result.message?.text ?? rule?.shortDescription?.text ?? ruleId).slice(0, 2000),
    path,
    key,
  )
  const ownFingerprint =
    result.partialFingerprints?.['vega/v1'] ?? Object.values(result.partialFingerprints ?? result.fingerprints ?? {})[0]
  const accepted = (result.suppressions ?? []).find((suppression) => (suppression.status ?? 'accepted') === 'accepted')
  return {
    engine: engine as EngineFinding['engine'],
    rule_id: ruleId,
    severity: severityOf(result, rule),
    title: (rule?.shortDescription?.text ?? ruleId).slice(0, 200),
    message,
    cwe: (rule?.properties?.tags ?? []).flatMap((tag) => /cwe[-/](\d+)$/i.exec(tag)?.[1] ?? []).map((n) => `CWE-${n}`),
    fix: (rule?.help?.text ?? '').slice(0, 2000),
    // The tool's fingerprint when it gives one; else its rule, path and message, never the line.
    identity: ownFingerprint ?? createHash('sha256').update(`${ruleId}\0${path}\0${message}`).digest('hex'),
    ...(ownFingerprint && /^[0-9a-f]{64}$/.test(ownFingerprint) ? { fingerprint: ownFingerprint } : {}),
    locations: [
      {
        path,
        start_line: startLine,
        end_line: location?.region?.endLine ?? startLine,
        snippet: redactForeign(location?.region?.snippet?.text ?? '', path, key).slice(0, 200),
      },
    ],
    ...contextField(result, path),
    metadata: {
      tool: engine.slice(6),
      ...(accepted ? { suppressed: accepted.justification ?? 'suppressed in the tool' } : {}),
    },
  }
}

/** The context the tool wrote (Vega's own SARIF does), else the one its path shows; the severity stays the tool's. */
function contextField(result: SarifResult, path: string): { context?: FindingContext } {
  const named = result.properties?.context ?? ''
  const context = (findingContexts as readonly string[]).includes(named) ? (named as FindingContext) : contextOf(path)
  return context ? { context } : {}
}

const safeDecode = (uri: string) => {
  try {
    return decodeURI(uri)
  } catch {
    return uri
  }
}

/** Results the tool marked as accepted suppressions arrive dismissed, with the tool's justification. */
async function keepSuppressions(access: Access, scan: ScanRecord, found: EngineFinding[]) {
  for (const finding of found) {
    if (typeof finding.metadata.suppressed !== 'string') continue
    const [stored] = await getFindings([findingIdOf(scan.repository_id, fingerprintOf(finding))])
    if (!stored || stored.status === 'dismissed') continue
    const actor = eventActor(access.actor)
    await dismissFinding(
      stored,
      { reason: 'suppressed', comment: finding.metadata.suppressed, by: actor.id ?? 'unknown', via: 'sarif' },
      historyEntry(actor, 'dismissed', 'suppressed', finding.metadata.suppressed),
    )
  }
}

/**
 * Imports a third-party SARIF log as a succeeded scan of engine `sarif:<tool>` per run. A result's own
 * fingerprint (partialFingerprints or fingerprints) is kept as its identity, so re-imports and Vega's own
 * exports map to the same findings; accepted suppressions become suppressed (dismissed) findings.
 */
export async function importLog(access: Access, repositoryId: RepositoryId, log: { runs: unknown[] }) {
  const repository = await findRepository(access, repositoryId)
  const key = await derivedKey(`secret-redaction:${repository.workspace_id}`)
  let imported = 0
  let lastScan: ScanId | undefined
  for (const run of log.runs as SarifRun[]) {
    const tool = sanitizeTool(run.tool?.driver?.name ?? 'unknown')
    const engine = `sarif:${tool}` as const
    const rules = new Map<string, SarifRule>((run.tool?.driver?.rules ?? []).map((rule) => [rule.id ?? '', rule]))
    const started = performance.now()
    const found = (run.results ?? []).slice(0, maxResultsPerRun).map((result) => findingOf(result, engine, rules, key))
    // Checked and recorded as every scan is (quotas, budget, the day's count), then run here and now.
    const scan: ScanRecord = await recordScanToRunNow({
      of: {
        workspace_id: repository.workspace_id,
        project_id: repository.project_id,
        repository_id: repository.id,
        upload_id: null,
      },
      input: { kind: 'sarif', key: '', bytes: 0 },
      engines: [engine],
      actor: eventActor(access.actor),
      queuedBecause: { imported_from: engine },
    })
    await startScan(scan.id)
    const counts = await recordFindings(scan, found, [engine])
    await keepSuppressions(access, scan, found)
    const gate = await gateOf(scan)
    const stats = {
      files: new Set(found.map((finding) => finding.locations[0]?.path)).size,
      bytes: 0,
      commits: 0,
      duration_ms: Math.round(performance.now() - started),
    }
    await finishScan(scan, { status: 'succeeded', stats, gate })
    await recordLastScan(repository.id, { id: scan.id, status: 'succeeded', finished_at: new Date().toISOString() })
    await appendEvent(repository.id, 'scan.succeeded', eventActor(access.actor), {
      scan_id: scan.id,
      imported_from: engine,
      findings: counts,
      gate: gate.verdict,
    })
    await scanFinished((await getScan(scan.id)) ?? { ...scan, status: 'succeeded', stats, gate })
    imported += found.length
    lastScan = scan.id
  }
  return { scan_id: lastScan!, findings: imported }
}
