// `git push -o vega.wait=N`: the push's answer waits for its scan, telling its progress as it goes (started,
// what it reads, each engine), then says what it found in `remote:` lines, and rejects the ref when the
// gate fails (or a finding reaches `vega.fail-on`), so `git push` itself fails a CI step. Without a verdict
// in time the ref is rejected too: a CI step that asked to wait must not pass on a scan nobody has seen.
import { publicUrl } from '../config.js'
import { findingsSeenBy } from '../data/scan-findings.js'
import { getScan, type ScanRecord } from '../data/scans.js'
import type { ScanId } from '../ids.js'
import { type Severity, severities } from '../scanning/engine.js'
import type { PushOptions } from './push-options.js'

const terminal = ['succeeded', 'failed', 'cancelled'] as const
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
/**
 * After this long without a line, one says the push still waits: a person watching knows it is alive, and
 * the connection never falls silent for the gateway's idle timeout (5 minutes on a regional endpoint).
 */
export const stillWaitingEveryMs = 30_000

export interface Verdict {
  /** Lines for `remote:`, in order. */
  lines: string[]
  /** Why the ref is rejected (git prints `! [remote rejected] main (vega: …)`); undefined when it passes. */
  rejection?: string
}

/** What the push printed of the scan so far. */
interface Told {
  started: boolean
  input: boolean
  engines: number
  running?: string
  recording: boolean
  at: number
}

const seconds = (ms: number) => (ms / 1000).toFixed(1)
const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`

/**
 * What the scan's record shows that the push has not told yet: its start, its input, each engine done.
 * What it is doing now (an engine running, recording) is told only while it is so.
 */
function news(scan: ScanRecord, told: Told): string[] {
  const lines: string[] = []
  if (scan.status === 'queued') return lines
  if (!told.started && scan.started_at) {
    told.started = true
    const queued = Date.parse(scan.started_at) - Date.parse(scan.created_at)
    lines.push(`Vega: scan started (${seconds(Math.max(0, queued))} s in the queue)`)
  }
  const progress = scan.progress
  if (!progress) return lines
  if (!told.input) {
    told.input = true
    const history = progress.commits
      ? ` (${plural(progress.blobs, 'blob')} in ${plural(progress.commits, 'commit')})`
      : ''
    const shards = progress.shards ? ` in ${progress.shards} shards` : ''
    lines.push(`Vega: scanning ${plural(progress.files, 'file')}${history}${shards}`)
  }
  for (const { engine, findings, ms } of progress.done.slice(told.engines))
    lines.push(`Vega: engine ${engine} done in ${seconds(ms)} s: ${plural(findings, 'finding')}`)
  told.engines = progress.done.length
  if (scan.status !== 'running') return lines
  if (progress.engine && progress.engine !== told.running)
    lines.push(`Vega: ${progress.engine.includes(',') ? 'engines' : 'engine'} ${progress.engine} running`)
  told.running = progress.engine
  if (progress.recording && !told.recording) lines.push('Vega: recording the findings')
  told.recording ||= progress.recording === true
  return lines
}

/** Who hears a waiting push's progress, how long a silence may last, and when nobody listens any more. */
export interface Listener {
  /** Each progress line as it happens; after `quietMs` without one, that the push still waits. */
  say?: (line: string) => void
  quietMs?: number
  /** Aborted when the client went away: the wait ends there (the scan goes on). */
  signal?: AbortSignal
}

/**
 * Reads the scan until it is over, `waitS` has passed or nobody listens, telling what happens as it
 * happens (and that it still waits, after a silence).
 */
async function settled(
  id: ScanId,
  waitS: number,
  { say = () => {}, quietMs = stillWaitingEveryMs, signal }: Listener,
): Promise<ScanRecord | undefined> {
  const from = Date.now()
  const until = from + waitS * 1000
  const told: Told = { started: false, input: false, engines: 0, recording: false, at: from }
  // At most a quarter second between reads: a verdict or a step reaches the push that late at most (it was
  // 1 s, most of the wait of a small push), for one consistent read of one item, 4 a second at most.
  for (let delay = 100; ; delay = Math.min(delay * 2, 250)) {
    const scan = await getScan(id)
    const lines = scan ? news(scan, told) : []
    for (const line of lines) say(line)
    if (lines.length) told.at = Date.now()
    if (scan && (terminal as readonly string[]).includes(scan.status)) return scan
    if (Date.now() - told.at >= quietMs) {
      const doing =
        scan?.status === 'running' && told.running
          ? `${told.running.includes(',') ? 'engines' : 'engine'} ${told.running} running`
          : `scan ${scan?.status ?? 'queued'}`
      say(`Vega: still waiting: ${doing} (${Math.round((Date.now() - from) / 1000)} s of ${waitS} s)`)
      told.at = Date.now()
    }
    const left = until - Date.now()
    if (left <= 0 || signal?.aborted) return undefined
    await pause(Math.min(delay, left))
  }
}

const counted = (bySeverity: Map<Severity, number>) =>
  severities
    .filter((severity) => bySeverity.get(severity))
    .map((severity) => `${bySeverity.get(severity)} ${severity}`)
    .join(', ')

/** The verdict's own lines come back with it; the progress before it goes to `listener` as it happens. */
export async function pushVerdict(
  scanId: ScanId,
  repositoryId: string,
  options: Required<Pick<PushOptions, 'waitS'>> & PushOptions,
  listener: Listener = {},
): Promise<Verdict> {
  const started = Date.now()
  const scanUrl = publicUrl(`/v1/repositories/${repositoryId}/scans/${scanId}`)
  const findingsUrl = publicUrl(`/v1/repositories/${repositoryId}/findings?status=open`)
  const scan = await settled(scanId, options.waitS, listener)
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

  const seen = (await findingsSeenBy(scanId)).filter((finding) => finding.status === 'open')
  const all = new Map<Severity, number>()
  const fresh = new Map<Severity, number>()
  for (const finding of seen) {
    all.set(finding.severity, (all.get(finding.severity) ?? 0) + 1)
    if (finding.first_seen_scan_id === scanId) fresh.set(finding.severity, (fresh.get(finding.severity) ?? 0) + 1)
  }
  const newCount = [...fresh.values()].reduce((sum, count) => sum + count, 0)
  const lines = [
    `Vega: scan ${scanId} succeeded (waited ${seconds(Date.now() - started)} s): ${seen.length} open finding${seen.length === 1 ? '' : 's'}` +
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
