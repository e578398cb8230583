// Scans: created queued (with the push that carries their input), listed newest first per repository
// and per project.
import { documents } from '../aws/clients.js'
import { ProjectId, RepositoryId, ScanId, SessionId, UploadId, WorkspaceId } from '../ids.js'
import { archiveFormats } from '../scanning/archive-formats.js'
import * as z from '../zod.js'
import { withMeta } from '../zod.js'
import {
  commands,
  deleteKeys,
  getItem,
  getRecord,
  type Page,
  type PageRequest,
  queryRecords,
  recordOf,
  tableName,
  transact,
  under,
  updateIf,
  updateReturning,
} from './db.js'
import { deleteInventory } from './inventories.js'
import * as keys from './keys.js'
import { addToDay } from './overview.js'
import { policyEffects } from './policy-values.js'
import { storedObjects } from './repositories.js'

export const scanStatuses = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const
export type ScanStatus = (typeof scanStatuses)[number]

/** The CI gate a succeeded scan carries: its verdict, which policy decided and which rules fired. */
export const gateRecord = z.object({
  verdict: z.enum(['passed', 'failed']),
  rules_fired: z.array(
    z.object({ rule: z.string(), effect: z.enum(policyEffects), findings: z.number().check(z.int()) }),
  ),
  policy: z.enum(['project', 'workspace', 'default']),
  baseline_scan_id: z.nullable(ScanId),
})
export type GateResult = z.infer<typeof gateRecord>

/** Set once the input is read, then at each engine's start and end; kept once the scan is over. */
export const scanProgress = z.object({
  files: z.number(),
  blobs: z.number(),
  commits: z.number(),
  /** A large scan split into shards (shared/worker/shards.ts): how many. */
  shards: z.optional(z.number()),
  /** The engines running now (they run at once), comma-separated; absent while none is. */
  engine: z.optional(z.string()),
  /** The engines done, in order: what each found (before fingerprints merge them) and how long it took. */
  done: z.array(z.object({ engine: z.string(), findings: z.number(), ms: z.number() })),
  /** The findings are being recorded: the verdict comes next. */
  recording: z.optional(z.boolean()),
})
export type ScanProgress = z.infer<typeof scanProgress>

/** What a scan's estimate was based on: its own input, the repository's previous one, or the minimum. */
export const estimateBases = ['upload', 'previous_upload', 'minimum'] as const
const money = z.object({ amount: z.number(), currency: z.string() })

export const scanRecord = z.object({
  id: ScanId,
  repository_id: RepositoryId,
  project_id: ProjectId,
  workspace_id: WorkspaceId,
  upload_id: z.nullable(UploadId),
  /** The legacy session whose archive this scans, if any. */
  session_id: z.optional(SessionId),
  status: z.enum(scanStatuses),
  /** Where the input lies in the uploads bucket, and what kind it is. */
  input: z.object({
    /** `sarif`: an imported log, with nothing to scan again. */
    kind: z.enum(['pack', 'bundle', 'archive', 'sarif']),
    key: z.string(),
    bytes: z.number(),
    objects: z.optional(z.number()),
    refs: z.optional(z.array(z.object({ ref: z.string(), oid: z.string() }))),
    /**
     * For a pushed pack: the repository's earlier complete pack it may be thin against, and that pack's tips;
     * `stored_at` when the push was offered it (older scans lack it).
     */
    base: z.optional(
      z.extend(z.omit(storedObjects, { scan_id: true, stored_at: true }), { stored_at: z.optional(z.string()) }),
    ),
    /** For an archive (a legacy session): how it is packed. */
    format: z.optional(z.enum(archiveFormats)),
  }),
  engines: z.array(z.string()),
  /**
   * What the gate measures "new" against, when the push named it (`-o vega.baseline`): a scan id, or a
   * branch (the latest successful scan of a push to it). Absent: the repository's previous successful scan.
   */
  baseline: z.optional(z.string()),
  error: z.nullable(
    z.object({
      code: z.string(),
      message: z.string(),
      retryable: z.boolean(),
      details: z.record(z.string(), z.unknown()),
    }),
  ),
  stats: z.nullable(
    z.object({
      files: z.number(),
      bytes: z.number(),
      commits: z.number(),
      duration_ms: z.number(),
      /** A large scan ran as this many shards, each a worker invocation of its own; absent: one. */
      shards: withMeta(z.optional(z.number().check(z.int())), {
        description: 'A large scan ran as this many shards (worker invocations over parts of it); absent: one',
      }),
      /** Per ecosystem the dependencies engine met: the advisory data it matched against. */
      advisories: withMeta(
        z.optional(z.record(z.string(), z.object({ records: z.number(), synced_at: z.nullable(z.string()) }))),
        { description: 'Per ecosystem in the lockfiles: advisories held and when they were last synced' },
      ),
      /** Per engine that reads blobs: what it read, and what an earlier scan of the repository had found clean. */
      reuse: withMeta(
        z.optional(
          z.record(
            z.string(),
            z.object({
              scanned_blobs: z.number(),
              scanned_bytes: z.number(),
              reused_blobs: z.number(),
              reused_bytes: z.number(),
            }),
          ),
        ),
        {
          description:
            'Per engine (secrets, code): blobs and bytes it scanned, and those an earlier scan of this repository had found clean, skipped',
        },
      ),
    }),
  ),
  /** The CI gate, set when the scan succeeds. */
  gate: z.nullish(gateRecord),
  created_at: z.string(),
  started_at: z.nullable(z.string()),
  /** While running: the worker's last sign of life (every few seconds); a silent worker is dead. */
  heartbeat_at: z.optional(z.string()),
  /**
   * While queued or running: when the scan last took its place in the active index (queued, started, beat,
   * requeued by the sweep). Its order in the queue, and the sweep's clock.
   */
  active_since: z.optional(z.string()),
  /** Runs begun, counting redeliveries: the sweep fails a scan that has had its tries. */
  attempts: z.optional(z.number().check(z.int())),
  /** Set when the worker began recording findings: from then on the scan finishes, a cancel is refused. */
  recording_at: z.optional(z.string()),
  /** A large scan's shards (shared/worker/shards.ts): how many; which are done is `shards_done`, a number set. */
  shards: z.optional(z.number().check(z.int())),
  /** How far the worker got, for a push that waits for the verdict (`-o vega.wait`) to tell as it goes. */
  progress: z.optional(scanProgress),
  finished_at: z.nullable(z.string()),
  /** What the scan was estimated to cost when it was queued (micro-units kept for the budget). */
  cost_estimate: z.optional(
    z.extend(money, { micros: z.number(), input_bytes: z.number(), basis: z.enum(estimateBases) }),
  ),
  /** What it cost, set by the meter once it finished. */
  cost: z.optional(money),
})
export type ScanRecord = z.infer<typeof scanRecord>

export function newScanItem(scan: ScanRecord) {
  return {
    ...scan,
    ...keys.scan(scan.project_id, scan.repository_id, scan.id),
    ...keys.activeScan(scan.id, scan.created_at),
    active_since: scan.created_at,
  }
}

export async function getScan(id: ScanId): Promise<ScanRecord | undefined> {
  return getRecord(scanRecord, keys.scanById(id), { consistent: true })
}

export function listScansOfRepository(
  repository: RepositoryId,
  page: PageRequest,
  status?: ScanStatus,
): Promise<Page<ScanRecord>> {
  return queryRecords(scanRecord, { ...under(keys.scansOfRepository(repository)), page, newestFirst: true, status })
}

export function listScansOfProject(
  project: ProjectId,
  page: PageRequest,
  status?: ScanStatus,
): Promise<Page<ScanRecord>> {
  return queryRecords(scanRecord, { ...under(keys.scansOfProject(project)), page, newestFirst: true, status })
}

export type Transition = 'started' | 'already_done' | 'missing'

/**
 * queued → running, or running → running for a redelivered message whose worker died: the scan runs
 * again from the start and writes the same results (every effect is keyed by the scan); started_at is
 * then the start of the run that counts. A scan that finished, failed or was cancelled is not touched again.
 */
export async function startScan(id: ScanId, now = new Date().toISOString()): Promise<Transition> {
  const started = await updateIf({
    Key: keys.scanById(id),
    UpdateExpression:
      'SET #status = :running, started_at = :now, heartbeat_at = :now, active_since = :now, gsi3sk = :since ADD attempts :one REMOVE progress',
    ConditionExpression: 'attribute_exists(pk) AND #status IN (:queued, :running)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':running': 'running',
      ':queued': 'queued',
      ':now': now,
      ':since': keys.activeScan(id, now).gsi3sk,
      ':one': 1,
    },
  })
  if (started) return 'started'
  return (await getScan(id)) ? 'already_done' : 'missing'
}

/**
 * A running scan's sign of life: its heartbeat, and its place in the sweep index moved to now, so only a
 * scan whose worker fell silent is ever stale. Tells whether the scan still runs (another worker, or a
 * cancellation, may have settled it) and whether a cancellation was asked for.
 */
export async function heartbeatScan(
  id: ScanId,
  now = new Date().toISOString(),
): Promise<{ running: boolean; cancelRequested: boolean }> {
  const beat = await updateReturning({
    Key: keys.scanById(id),
    UpdateExpression: 'SET heartbeat_at = :now, active_since = :now, gsi3sk = :since',
    ConditionExpression: '#status = :running',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':now': now, ':since': keys.activeScan(id, now).gsi3sk, ':running': 'running' },
    ReturnValues: 'ALL_NEW',
  })
  return { running: beat !== undefined, cancelRequested: beat?.cancel_requested === true }
}

/** The worker's progress, while the scan runs (a write after it finished changes nothing). */
export async function recordProgress(id: ScanId, progress: ScanProgress): Promise<void> {
  await updateIf({
    Key: keys.scanById(id),
    UpdateExpression: 'SET progress = :progress',
    ConditionExpression: '#status = :running',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':progress': progress, ':running': 'running' },
  })
}

/**
 * running → succeeded or failed, once: a second writer's condition fails and it changes nothing. A
 * succeeded or failed scan is counted in its workspace's overview of the day in the same transaction
 * (and a failed gate with it), so it counts once too.
 */
export async function finishScan(
  scan: Pick<ScanRecord, 'id' | 'workspace_id'>,
  outcome:
    | { status: 'succeeded'; stats: NonNullable<ScanRecord['stats']>; gate?: GateResult }
    | { status: 'failed'; error: NonNullable<ScanRecord['error']> }
    | { status: 'cancelled' },
  now = new Date().toISOString(),
): Promise<boolean> {
  const counted =
    outcome.status === 'cancelled'
      ? []
      : [
          addToDay(
            scan.workspace_id,
            scan.id,
            {
              scans: 1,
              scans_failed: outcome.status === 'failed' ? 1 : 0,
              gate_failures: outcome.status === 'succeeded' && outcome.gate?.verdict === 'failed' ? 1 : 0,
            },
            now,
          ),
        ]
  try {
    await transact(
      [
        {
          Update: {
            TableName: tableName(),
            Key: keys.scanById(scan.id),
            UpdateExpression:
              'SET #status = :status, finished_at = :now, stats = :stats, #error = :error, gate = :gate REMOVE gsi3pk, gsi3sk, active_since',
            // A scan whose message died in the DLQ may never have started: it fails from queued too.
            ConditionExpression: outcome.status === 'failed' ? '#status IN (:running, :queued)' : '#status = :running',
            ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
            ExpressionAttributeValues: {
              ':status': outcome.status,
              ':running': 'running',
              ...(outcome.status === 'failed' ? { ':queued': 'queued' } : {}),
              ':now': now,
              ':stats': outcome.status === 'succeeded' ? outcome.stats : null,
              ':error': outcome.status === 'failed' ? outcome.error : null,
              ':gate': outcome.status === 'succeeded' ? (outcome.gate ?? null) : null,
            },
          },
        },
        ...counted,
      ],
      () => new ScanAlreadySettled(),
    )
    return true
  } catch (error) {
    if (error instanceof ScanAlreadySettled) return false
    throw error
  }
}
class ScanAlreadySettled extends Error {}

export async function putQueuedScan(scan: ScanRecord): Promise<void> {
  await documents().send(
    new (commands().PutCommand)({
      TableName: tableName(),
      Item: newScanItem(scan),
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  )
}

/**
 * A queued scan is cancelled at once (its message, when it comes, finds it finished); a running one is
 * asked to stop, which the worker does at the next engine boundary, unless it already began recording
 * its findings (`finishing`: it will succeed). Anything else is already over.
 */
export async function cancelScan(
  id: ScanId,
  now = new Date().toISOString(),
): Promise<'cancelled' | 'requested' | 'finishing' | 'over'> {
  const update = (condition: string, expression: string, values: Record<string, unknown>) =>
    updateIf({
      Key: keys.scanById(id),
      UpdateExpression: expression,
      ConditionExpression: condition,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: values,
    })
  const cancelled = await update(
    '#status = :queued',
    'SET #status = :cancelled, finished_at = :now REMOVE gsi3pk, gsi3sk, active_since',
    { ':queued': 'queued', ':cancelled': 'cancelled', ':now': now },
  )
  if (cancelled) return 'cancelled'
  const requested = await update(
    '#status = :running AND attribute_not_exists(recording_at)',
    'SET cancel_requested = :yes',
    { ':running': 'running', ':yes': true },
  )
  if (requested) return 'requested'
  return (await getScan(id))?.status === 'running' ? 'finishing' : 'over'
}

/**
 * The worker's point of no return, taken before it records findings: true when no cancellation was asked
 * for, and from then on a cancellation is refused. So either the cancel wins (nothing recorded, the scan
 * ends `cancelled`) or the scan does (the cancel answers 409 and the scan ends `succeeded`), never both.
 */
export async function claimRecording(id: ScanId, now = new Date().toISOString()): Promise<boolean> {
  return updateIf({
    Key: keys.scanById(id),
    UpdateExpression: 'SET recording_at = if_not_exists(recording_at, :now)',
    ConditionExpression: '#status = :running AND attribute_not_exists(cancel_requested)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':now': now, ':running': 'running' },
  })
}

/**
 * Splits a running scan into `count` shards. The same count again (a redelivered first message) changes
 * nothing, so shards done before stay done.
 */
export function shardScan(id: ScanId, count: number): Promise<boolean> {
  return updateIf({
    Key: keys.scanById(id),
    UpdateExpression: 'SET shards = :count',
    ConditionExpression: '#status = :running AND (attribute_not_exists(shards) OR shards = :count)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':count': count, ':running': 'running' },
  })
}

/**
 * Marks a shard done. Answers the shards done before this one, or undefined once the scan is over; the
 * one whose mark completes the set (it was not among them, and they were all the others) merges.
 */
export async function markShardDone(id: ScanId, index: number): Promise<Set<number> | undefined> {
  const before = await updateReturning({
    Key: keys.scanById(id),
    UpdateExpression: 'ADD shards_done :index',
    ConditionExpression: '#status = :running',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':index': new Set([index]), ':running': 'running' },
    ReturnValues: 'UPDATED_OLD',
  })
  return before && new Set((before.shards_done as Set<number> | undefined) ?? [])
}

/** The shards of a running scan done so far (a consistent read). */
export async function shardsDone(id: ScanId): Promise<Set<number>> {
  const item = await getItem(keys.scanById(id), { consistent: true, projection: 'shards_done' })
  return new Set((item?.shards_done as Set<number> | undefined) ?? [])
}

export async function isCancelRequested(id: ScanId): Promise<boolean> {
  const item = await getItem(keys.scanById(id), { consistent: true, projection: 'cancel_requested' })
  return item?.cancel_requested === true
}

/** Removes every scan of a deleted repository. */
export async function deleteScansOf(repository: RepositoryId): Promise<void> {
  for (let page = await listScansOfRepository(repository, { limit: 100 }); ; ) {
    for (const scan of page.items) await deleteInventory(scan.id)
    await deleteKeys(page.items.map((scan) => keys.scanById(scan.id)))
    if (!page.lastKey) return
    page = await listScansOfRepository(repository, { limit: 100, startKey: page.lastKey })
  }
}

/** Scans queued or running since before `before` (ISO), oldest first: the cleanup's candidates. */
export async function listStaleScans(before: string, limit = 100): Promise<ScanRecord[]> {
  const stale: ScanRecord[] = []
  for (let shard = 0; shard < keys.activeShards; shard++) {
    const { Items = [] } = await documents().send(
      new (commands().QueryCommand)({
        TableName: tableName(),
        IndexName: 'gsi3',
        KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk < :before',
        ExpressionAttributeValues: { ':pk': keys.activeScans(shard).gsi3pk, ':before': before },
        Limit: limit,
      }),
    )
    stale.push(...Items.map((item) => recordOf(scanRecord, item)))
  }
  return stale
}

/** Restarts a stale scan's clock in the sweep index, so one sweep does not queue it again next time. */
export async function touchActiveScan(scan: ScanRecord, now = new Date().toISOString()): Promise<boolean> {
  return updateIf({
    Key: keys.scanById(scan.id),
    UpdateExpression: 'SET gsi3sk = :since, active_since = :now',
    ConditionExpression: '#status IN (:queued, :running)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':since': keys.activeScan(scan.id, now).gsi3sk,
      ':now': now,
      ':queued': 'queued',
      ':running': 'running',
    },
  })
}

/** A queued scan normally starts within seconds; ten minutes means its message is gone. */
export const queuedGraceMs = 10 * 60_000
/** A running scan's worker beats every 5 s (worker/run-scan.ts); silent for 30 s, it is dead. */
export const runningGraceMs = 30_000

type ActiveState = Pick<ScanRecord, 'status' | 'created_at' | 'started_at' | 'heartbeat_at' | 'active_since'>

/** Whether a queued or running scan has no worker that will finish it (the sweep's and the ops view's rule). */
export function isStuck(scan: ActiveState, now = Date.now()): boolean {
  // A queued scan counts from when it was last (re)queued; scans stored before active_since, from creation.
  if (scan.status === 'queued') return now - Date.parse(scan.active_since ?? scan.created_at) > queuedGraceMs
  if (scan.status !== 'running') return false
  return now - Date.parse(scan.heartbeat_at ?? scan.started_at ?? scan.created_at) > runningGraceMs
}
