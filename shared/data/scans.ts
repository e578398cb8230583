// Scans: created queued (with the push that carries their input), listed newest first per repository
// and per project.
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import { documents } from '../aws/clients.js'
import type { GateResult } from '../findings/policy.js'
import type { ProjectId, RepositoryId, ScanId, SessionId, UploadId, WorkspaceId } from '../ids.js'
import { deleteKeys, isConditionFailure, type Page, type PageRequest, queryByPrefix, tableName } from './db.js'
import { activeShards, keys } from './keys.js'

export const scanStatuses = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const
export type ScanStatus = (typeof scanStatuses)[number]
export const engineNames = ['secrets', 'code', 'dependencies'] as const

export interface ScanRecord {
  id: ScanId
  repository_id: RepositoryId
  project_id: ProjectId
  workspace_id: WorkspaceId
  upload_id: UploadId | null
  /** The legacy session whose archive this scans, if any. */
  session_id?: SessionId
  status: ScanStatus
  /** Where the input lies in the uploads bucket, and what kind it is. */
  input: {
    /** `sarif`: an imported log, with nothing to scan again. */
    kind: 'pack' | 'bundle' | 'archive' | 'sarif'
    key: string
    bytes: number
    objects?: number
    refs?: { ref: string; oid: string }[]
    /** For an archive (a legacy session): how it is packed. */
    format?: 'tar.gz' | 'zip'
  }
  engines: string[]
  error: { code: string; message: string; retryable: boolean; details: Record<string, unknown> } | null
  stats: { files: number; bytes: number; commits: number; duration_ms: number } | null
  /** The CI gate, set when the scan succeeds. */
  gate?: GateResult
  created_at: string
  started_at: string | null
  /** While running: the worker's last sign of life (every few seconds); a silent worker is dead. */
  heartbeat_at?: string
  /** Set when the worker began recording findings: from then on the scan finishes, a cancel is refused. */
  recording_at?: string
  finished_at: string | null
}

export function newScanItem(scan: ScanRecord) {
  return {
    ...scan,
    ...keys.scan(scan.project_id, scan.repository_id, scan.id),
    ...keys.activeScan(scan.id, scan.created_at),
  }
}

export async function getScan(id: ScanId): Promise<ScanRecord | undefined> {
  const { Item } = await documents().send(
    new GetCommand({ TableName: tableName(), Key: keys.scanById(id), ConsistentRead: true }),
  )
  return Item as ScanRecord | undefined
}

export function listScansOfRepository(
  repository: RepositoryId,
  page: PageRequest,
  status?: ScanStatus,
): Promise<Page<ScanRecord>> {
  const { gsi1pk, gsi1skPrefix } = keys.scansOfRepository(repository)
  return queryByPrefix<ScanRecord>({
    index: 'gsi1',
    partition: gsi1pk,
    prefix: gsi1skPrefix,
    page,
    newestFirst: true,
    status,
  })
}

export function listScansOfProject(
  project: ProjectId,
  page: PageRequest,
  status?: ScanStatus,
): Promise<Page<ScanRecord>> {
  const { gsi2pk, gsi2skPrefix } = keys.scansOfProject(project)
  return queryByPrefix<ScanRecord>({
    index: 'gsi2',
    partition: gsi2pk,
    prefix: gsi2skPrefix,
    page,
    newestFirst: true,
    status,
  })
}

export type Transition = 'started' | 'already_done' | 'missing'

/**
 * queued → running, or running → running for a redelivered message whose worker died: the scan runs
 * again from the start and writes the same results (every effect is keyed by the scan); started_at is
 * then the start of the run that counts. A scan that finished, failed or was cancelled is not touched again.
 */
export async function startScan(id: ScanId, now = new Date().toISOString()): Promise<Transition> {
  try {
    await documents().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.scanById(id),
        UpdateExpression:
          'SET #status = :running, started_at = :now, heartbeat_at = :now, gsi3sk = :since ADD attempts :one',
        ConditionExpression: 'attribute_exists(pk) AND #status IN (:queued, :running)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':running': 'running',
          ':queued': 'queued',
          ':now': now,
          ':since': keys.activeScan(id, now).gsi3sk,
          ':one': 1,
        },
      }),
    )
    return 'started'
  } catch (error) {
    if (!isConditionFailure(error)) throw error
    return (await getScan(id)) ? 'already_done' : 'missing'
  }
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
  try {
    const { Attributes } = await documents().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.scanById(id),
        UpdateExpression: 'SET heartbeat_at = :now, gsi3sk = :since',
        ConditionExpression: '#status = :running',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':now': now, ':since': keys.activeScan(id, now).gsi3sk, ':running': 'running' },
        ReturnValues: 'ALL_NEW',
      }),
    )
    return { running: true, cancelRequested: Attributes?.cancel_requested === true }
  } catch (error) {
    if (!isConditionFailure(error)) throw error
    return { running: false, cancelRequested: false }
  }
}

/** running → succeeded or failed, once: a second writer's condition fails and it changes nothing. */
export async function finishScan(
  id: ScanId,
  outcome:
    | { status: 'succeeded'; stats: NonNullable<ScanRecord['stats']>; gate?: GateResult }
    | { status: 'failed'; error: NonNullable<ScanRecord['error']> }
    | { status: 'cancelled' },
  now = new Date().toISOString(),
): Promise<boolean> {
  try {
    await documents().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.scanById(id),
        UpdateExpression:
          'SET #status = :status, finished_at = :now, stats = :stats, #error = :error, gate = :gate REMOVE gsi3pk, gsi3sk',
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
      }),
    )
    return true
  } catch (error) {
    if (isConditionFailure(error)) return false
    throw error
  }
}

export async function putQueuedScan(scan: ScanRecord): Promise<void> {
  await documents().send(
    new PutCommand({
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
    documents().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.scanById(id),
        UpdateExpression: expression,
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: values,
      }),
    )
  try {
    await update('#status = :queued', 'SET #status = :cancelled, finished_at = :now REMOVE gsi3pk, gsi3sk', {
      ':queued': 'queued',
      ':cancelled': 'cancelled',
      ':now': now,
    })
    return 'cancelled'
  } catch (error) {
    if (!isConditionFailure(error)) throw error
  }
  try {
    await update('#status = :running AND attribute_not_exists(recording_at)', 'SET cancel_requested = :yes', {
      ':running': 'running',
      ':yes': true,
    })
    return 'requested'
  } catch (error) {
    if (!isConditionFailure(error)) throw error
  }
  return (await getScan(id))?.status === 'running' ? 'finishing' : 'over'
}

/**
 * The worker's point of no return, taken before it records findings: true when no cancellation was asked
 * for, and from then on a cancellation is refused. So either the cancel wins (nothing recorded, the scan
 * ends `cancelled`) or the scan does (the cancel answers 409 and the scan ends `succeeded`), never both.
 */
export async function claimRecording(id: ScanId, now = new Date().toISOString()): Promise<boolean> {
  try {
    await documents().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.scanById(id),
        UpdateExpression: 'SET recording_at = if_not_exists(recording_at, :now)',
        ConditionExpression: '#status = :running AND attribute_not_exists(cancel_requested)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':now': now, ':running': 'running' },
      }),
    )
    return true
  } catch (error) {
    if (isConditionFailure(error)) return false
    throw error
  }
}

export async function isCancelRequested(id: ScanId): Promise<boolean> {
  const { Item } = await documents().send(
    new GetCommand({
      TableName: tableName(),
      Key: keys.scanById(id),
      ConsistentRead: true,
      ProjectionExpression: 'cancel_requested',
    }),
  )
  return Item?.cancel_requested === true
}

/** Removes every scan of a deleted repository. */
export async function deleteScansOf(repository: RepositoryId): Promise<void> {
  for (let page = await listScansOfRepository(repository, { limit: 100 }); ; ) {
    await deleteKeys(page.items.map((scan) => keys.scanById(scan.id)))
    if (!page.lastKey) return
    page = await listScansOfRepository(repository, { limit: 100, startKey: page.lastKey })
  }
}

/** Scans queued or running since before `before` (ISO), oldest first: the cleanup's candidates. */
export async function listStaleScans(before: string, limit = 100): Promise<ScanRecord[]> {
  const stale: ScanRecord[] = []
  for (let shard = 0; shard < activeShards; shard++) {
    const { Items = [] } = await documents().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: 'gsi3',
        KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk < :before',
        ExpressionAttributeValues: { ':pk': keys.activeScans(shard).gsi3pk, ':before': before },
        Limit: limit,
      }),
    )
    stale.push(...(Items as ScanRecord[]))
  }
  return stale
}

/** Restarts a stale scan's clock in the sweep index, so one sweep does not queue it again next time. */
export async function touchActiveScan(scan: ScanRecord, now = new Date().toISOString()): Promise<boolean> {
  try {
    await documents().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.scanById(scan.id),
        UpdateExpression: 'SET gsi3sk = :since',
        ConditionExpression: '#status IN (:queued, :running)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':since': keys.activeScan(scan.id, now).gsi3sk,
          ':queued': 'queued',
          ':running': 'running',
        },
      }),
    )
    return true
  } catch (error) {
    if (isConditionFailure(error)) return false
    throw error
  }
}
