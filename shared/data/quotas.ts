// What quotas read and write: a workspace's own limits, the scans it queued today, the scans it has
// queued or running, and the requests-per-minute overrides the rate limiter caches.
import { documents } from '../aws/clients.js'
import { WorkspaceId } from '../ids.js'
import * as z from '../zod.js'
import { commands, epochSeconds, getItem, getRecord, recordOf, tableName } from './db.js'
import * as keys from './keys.js'
import { type ScanRecord, scanRecord } from './scans.js'

export const limitNames = [
  'git_push_max_bytes',
  'bundle_max_bytes',
  'archive_max_bytes',
  'scans_per_day',
  'concurrent_scans',
  'requests_per_minute',
  'retention_days',
] as const
export type LimitName = (typeof limitNames)[number]

export const workspaceLimitsRecord = z.object({
  workspace_id: WorkspaceId,
  /** Only the limits this workspace changed; the rest are the configured defaults. */
  overrides: z.partialRecord(z.enum(limitNames), z.number()),
  /** In the price table's currency; null: no budget (or the configured default). */
  monthly_budget: z.nullish(z.number()),
  updated_at: z.string(),
})
export type WorkspaceLimitsRecord = z.infer<typeof workspaceLimitsRecord>

export async function getWorkspaceLimits(workspace: WorkspaceId): Promise<WorkspaceLimitsRecord | undefined> {
  return getRecord(workspaceLimitsRecord, keys.workspaceLimits(workspace), { consistent: true })
}

export async function putWorkspaceLimits(record: WorkspaceLimitsRecord): Promise<void> {
  await documents().send(
    new (commands().PutCommand)({
      TableName: tableName(),
      Item: { ...keys.workspaceLimits(record.workspace_id), ...record },
    }),
  )
}

export const utcDay = (now = Date.now()) => new Date(now).toISOString().slice(0, 10)

/** Scans the workspace queued on a UTC day. */
export async function scansQueuedOn(workspace: WorkspaceId, day: string): Promise<number> {
  const Item = await getItem(keys.scansQueuedOn(workspace, day), { consistent: true })
  return Number(Item?.scans ?? 0)
}

/**
 * The transaction item that counts one more scan queued today, only while under `limit`: put in the
 * same transaction as the scan, so the day's quota holds however many requests race.
 */
export function countQueuedScan(workspace: WorkspaceId, limit: number, now = Date.now()) {
  return {
    Update: {
      TableName: tableName(),
      Key: keys.scansQueuedOn(workspace, utcDay(now)),
      UpdateExpression: 'ADD #scans :one SET expires_at_epoch = :expires',
      ConditionExpression: 'attribute_not_exists(#scans) OR #scans < :limit',
      ExpressionAttributeNames: { '#scans': 'scans' },
      ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':expires': epochSeconds(now) + 3 * 24 * 3600 },
    },
  }
}

/** The counter without its transaction, for a scan queued where no transaction is at hand. */
export async function addQueuedScan(workspace: WorkspaceId, limit: number, now = Date.now()): Promise<boolean> {
  try {
    await documents().send(new (commands().UpdateCommand)(countQueuedScan(workspace, limit, now).Update))
    return true
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false
    throw error
  }
}

/** What the active index projects of a live scan. */
const activeScan = z.pick(scanRecord, {
  id: true,
  workspace_id: true,
  repository_id: true,
  project_id: true,
  status: true,
  created_at: true,
  started_at: true,
  heartbeat_at: true,
  active_since: true,
})
export type ActiveScan = z.infer<typeof activeScan>

/**
 * Scans queued or running, from the sparse active index (oldest first per shard), of one workspace or
 * of all. The index holds only live scans, so this reads what is in flight, never history.
 */
export async function listActiveScans(workspace?: WorkspaceId): Promise<ActiveScan[]> {
  const found: ActiveScan[] = []
  for (let shard = 0; shard < keys.activeShards; shard++) {
    let startKey: Record<string, unknown> | undefined
    do {
      const { Items = [], LastEvaluatedKey } = await documents().send(
        new (commands().QueryCommand)({
          TableName: tableName(),
          IndexName: 'gsi3',
          KeyConditionExpression: 'gsi3pk = :pk',
          FilterExpression: workspace ? 'workspace_id = :ws' : undefined,
          ProjectionExpression:
            'id, workspace_id, repository_id, project_id, #status, created_at, started_at, heartbeat_at, active_since',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':pk': keys.activeScans(shard).gsi3pk,
            ...(workspace ? { ':ws': workspace } : {}),
          },
          ExclusiveStartKey: startKey,
        }),
      )
      found.push(...Items.map((item) => recordOf(activeScan, item)))
      startKey = LastEvaluatedKey
    } while (startKey)
  }
  return found
}

/** How many live scans sort before this one in the active index: its place in the queue, from 0. */
export async function queuedAhead(scan: Pick<ScanRecord, 'id' | 'created_at' | 'active_since'>): Promise<number> {
  const mine = keys.activeScan(scan.id, scan.active_since ?? scan.created_at).gsi3sk
  let ahead = 0
  for (let shard = 0; shard < keys.activeShards; shard++) {
    let startKey: Record<string, unknown> | undefined
    do {
      const { Count = 0, LastEvaluatedKey } = await documents().send(
        new (commands().QueryCommand)({
          TableName: tableName(),
          IndexName: 'gsi3',
          KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk < :mine',
          FilterExpression: '#status = :queued',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':pk': keys.activeScans(shard).gsi3pk,
            ':mine': mine,
            ':queued': 'queued',
          },
          Select: 'COUNT',
          ExclusiveStartKey: startKey,
        }),
      )
      ahead += Count
      startKey = LastEvaluatedKey
    } while (startKey)
  }
  return ahead
}

const cleanupState = z.object({
  last_run_at: z.optional(z.string()),
  last_report: z.optional(z.record(z.string(), z.unknown())),
  /** Where the sweep of old rate-limit windows goes on next time. */
  rate_sweep_key: z.nullish(z.record(z.string(), z.unknown())),
})
export type CleanupState = z.infer<typeof cleanupState>

export async function getCleanupState(): Promise<CleanupState> {
  return (await getRecord(cleanupState, keys.cleanupState())) ?? {}
}

export async function putCleanupState(state: CleanupState): Promise<void> {
  await documents().send(
    new (commands().PutCommand)({ TableName: tableName(), Item: { ...keys.cleanupState(), ...state } }),
  )
}

/** A queued scan's place in the queue, from 1, by its id and the time it was queued. */
export async function queuePositionOf(scan: Pick<ScanRecord, 'id' | 'created_at' | 'active_since'>): Promise<number> {
  return 1 + (await queuedAhead(scan))
}
