// The one way a scan is queued, whatever brought it (a push, a bundle, an archive session, a rescan, a
// retry, a SARIF import, which runs at once instead of queueing): its estimate against max_cost and the month's budget, the day's scans and the scans in flight
// are checked here, the record is written with the day's count (and the caller's claim) in one
// transaction, then the message is sent. A path that skipped a check could not exist.
import type { Estimate } from '../billing/prices.js'
import { estimate } from '../billing/prices.js'
import { checkCost, checkScanQuotas, type EffectiveLimits, limitsOf, scansPerDayExceeded } from '../billing/quotas.js'
import { appendEvent } from '../data/append-event.js'
import { type TransactItems, tableName, transact } from '../data/db.js'
import type { EventActor, EventType } from '../data/events.js'
import { countQueuedScan } from '../data/quotas.js'
import { newScanItem, type ScanRecord } from '../data/scans.js'
import { conflict } from '../http/errors.js'
import { newId, type ScanId, type WorkspaceId } from '../ids.js'
import { enqueueScan } from '../queue/scans.js'

/** What a scan was admitted with: the workspace's limits and the scan's estimate. */
export interface ScanAdmission {
  limits: EffectiveLimits
  cost: Estimate
}

/**
 * Every check a new scan passes before it is queued. A push calls it before it stores its pack (so a
 * refused push stores nothing) and hands the answer to queueScan; other paths let queueScan call it.
 */
export async function admitScan(
  workspace: WorkspaceId,
  inputBytes: number,
  maxCost?: number,
  known?: EffectiveLimits,
): Promise<ScanAdmission> {
  const limits = known ?? (await limitsOf(workspace))
  const cost = estimate(inputBytes, 'upload')
  await checkCost(workspace, limits, cost, maxCost)
  await checkScanQuotas(workspace, limits)
  return { limits, cost }
}

type TransactItem = TransactItems[number]

export interface ScanToQueue {
  of: Pick<ScanRecord, 'workspace_id' | 'project_id' | 'repository_id' | 'upload_id' | 'session_id'>
  input: ScanRecord['input']
  engines: string[]
  /** What the gate compares against, when the caller named it (see the scan record's `baseline`). */
  baseline?: string
  actor: EventActor
  maxCost?: number
  /** Given when the caller checked already (see admitScan); checked here otherwise. */
  admission?: ScanAdmission
  /** A condition that must hold in the scan's own transaction: an upload's one push, a session's one analysis. */
  claim?: { item: (scan: ScanId, now: string) => TransactItem; lost: () => Error }
  /** Events appended before `scan.queued`, in order. */
  events?: { type: EventType; data: Record<string, unknown> }[]
  /** More about where the scan came from, on its `scan.queued` event (`from_scan_id` for a rescan). */
  queuedBecause?: Record<string, unknown>
}

export type QueuedScan = ScanRecord & { cost_estimate: Estimate }

export async function queueScan(request: ScanToQueue): Promise<QueuedScan> {
  const scan = await admitAndRecord(request)
  // Written before it is sent: a failed send leaves a queued scan the sweep sends again, never a lost one.
  await enqueueScan(scan.id)
  return scan
}

/**
 * A scan whose input is processed in the request itself (a SARIF import): the same checks and the same
 * record as a queued one, with no message, as the caller runs it at once.
 */
export const recordScanToRunNow = admitAndRecord

async function admitAndRecord(request: ScanToQueue): Promise<QueuedScan> {
  const { of, claim } = request
  const { limits, cost } = request.admission ?? (await admitScan(of.workspace_id, request.input.bytes, request.maxCost))
  const now = new Date().toISOString()
  const scan: QueuedScan = {
    id: newId('scan'),
    ...of,
    status: 'queued',
    input: request.input,
    engines: request.engines,
    ...(request.baseline ? { baseline: request.baseline } : {}),
    error: null,
    stats: null,
    created_at: now,
    started_at: null,
    finished_at: null,
    cost_estimate: cost,
  }
  if (scan.session_id === undefined) delete scan.session_id
  const items: TransactItem[] = [
    ...(claim ? [claim.item(scan.id, now)] : []),
    { Put: { TableName: tableName(), Item: newScanItem(scan), ConditionExpression: 'attribute_not_exists(pk)' } },
    countQueuedScan(scan.workspace_id, limits.values.scans_per_day),
  ]
  const dayCount = items.length - 1
  await transact(items, (failed) => {
    if (failed === dayCount) return scansPerDayExceeded(limits.values.scans_per_day)
    if (claim && failed === 0) return claim.lost()
    return conflict(`Scan ${scan.id} exists`)
  })
  // The timeline first, so `scan.queued` always precedes the worker's `scan.started`; then the message.
  for (const event of request.events ?? []) await appendEvent(scan.repository_id, event.type, request.actor, event.data)
  await appendEvent(scan.repository_id, 'scan.queued', request.actor, { scan_id: scan.id, ...request.queuedBecause })
  return scan
}
