// `git push -o vega.wait=N`: the push's answer waits for its scan, then says what it found in `remote:`
// lines, and rejects the ref when the gate fails (or a finding reaches `vega.fail-on`), so `git push`
// itself fails a CI step. Without a verdict in time the ref is rejected too: a CI step that asked to wait
// must not pass on a scan nobody has seen.
import { publicUrl } from '../config.js'
import { findingIdsOfScan, getFindings } from '../data/findings.js'
import { getScan, type ScanRecord } from '../data/scans.js'
import type { ScanId } from '../ids.js'
import { type Severity, severities } from '../scanning/engine.js'
import type { PushOptions } from './push-options.js'

const terminal = ['succeeded', 'failed', 'cancelled'] as const
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export interface Verdict {
  /** Lines for `remote:`, in order. */
  lines: string[]
  /** Why the ref is rejected (git prints `! [remote rejected] main (vega: …)`); undefined when it passes. */
  rejection?: string
}

/** Reads the scan until it is over or `waitS` has passed. */
async function settled(id: ScanId, waitS: number): Promise<ScanRecord | undefined> {
  const until = Date.now() + waitS * 1000
  for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
    const scan = await getScan(id)
    if (scan && (terminal as readonly string[]).includes(scan.status)) return scan
    const left = until - Date.now()
    if (left <= 0) return undefined
    await pause(Math.min(delay, left))
  }
}

const counted = (bySeverity: Map<Severity, number>) =>
  severities
    .filter((severity) => bySeverity.get(severity))
    .map((severity) => `${bySeverity.get(severity)} ${severity}`)
    .join(', ')

export async function pushVerdict(
  scanId: ScanId,
  repositoryId: string,
  options: Required<Pick<PushOptions, 'waitS'>> & PushOptions,
): Promise<Verdict> {
  const started = Date.now()
  const scanUrl = publicUrl(`/v1/repositories/${repositoryId}/scans/${scanId}`)
  const findingsUrl = publicUrl(`/v1/repositories/${repositoryId}/findings?status=open`)
  const scan = await settled(scanId, options.waitS)
  if (!scan)
    return {
      lines: [
        `Vega: scan ${scanId} has no verdict after ${options.waitS} s; it goes on: ${scanUrl}`,
        'Vega: wait longer with -o vega.wait=<seconds>, or poll the scan until its status is final',
      ],
      rejection: `vega: no verdict within ${options.waitS} s`,
    }
  if (scan.status !== 'succeeded') {
    const why = scan.error ? `${scan.error.code}: ${scan.error.message}` : scan.status
    return {
      lines: [`Vega: scan ${scanId} ${scan.status}: ${why}`, `Vega: ${scanUrl}`],
      rejection: `vega: scan ${scan.status}`,
    }
  }

  const seen = (await getFindings(await findingIdsOfScan(scanId))).filter((finding) => finding.status === 'open')
  const all = new Map<Severity, number>()
  const fresh = new Map<Severity, number>()
  for (const finding of seen) {
    all.set(finding.severity, (all.get(finding.severity) ?? 0) + 1)
    if (finding.first_seen_scan_id === scanId) fresh.set(finding.severity, (fresh.get(finding.severity) ?? 0) + 1)
  }
  const newCount = [...fresh.values()].reduce((sum, count) => sum + count, 0)
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  const lines = [
    `Vega: scan ${scanId} succeeded (waited ${seconds} s): ${seen.length} open finding${seen.length === 1 ? '' : 's'}` +
      (seen.length ? ` (${counted(all)})` : '') +
      `, ${newCount} new${newCount ? ` (${counted(fresh)})` : ''}`,
  ]
  const gate = scan.gate
  if (gate) {
    const fired = gate.rules_fired.filter((rule) => rule.effect === 'block')
    lines.push(
      `Vega: gate ${gate.verdict}` +
        (fired.length ? `: ${fired.map((rule) => `${rule.rule} (${rule.findings})`).join(', ')}` : '') +
        ` [${gate.policy} policy; new against ${gate.baseline_scan_id ?? 'nothing: no earlier scan'}]`,
    )
  }
  const failOn = options.failOn && options.failOn !== 'none' ? options.failOn : undefined
  const atOrAbove = failOn ? severities.slice(0, severities.indexOf(failOn) + 1) : []
  const reaching = seen.filter((finding) => atOrAbove.includes(finding.severity)).length
  if (failOn) lines.push(`Vega: fail-on ${failOn}: ${reaching} open finding${reaching === 1 ? '' : 's'} at or above it`)
  lines.push(`Vega: findings: ${findingsUrl}`)
  const rejection =
    gate?.verdict === 'failed'
      ? `vega: gate failed: ${newCount ? `${newCount} new (${counted(fresh)})` : 'see the findings'}`
      : failOn && reaching > 0
        ? `vega: ${reaching} finding${reaching === 1 ? '' : 's'} at or above ${failOn}`
        : undefined
  return { lines, rejection }
}
