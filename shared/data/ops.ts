// What operations read across entities: a project's recent scans, and old rate-limit windows.
import { encodeTime } from 'ulid'
import { documents } from '../aws/clients.js'
import { idPrefixes, type ProjectId } from '../ids.js'
import { commands, deleteKeys, epochSeconds, recordOf, tableName } from './db.js'
import * as keys from './keys.js'
import { type ScanRecord, scanRecord } from './scans.js'

/** A project's scans created since an instant (scan ids are ULIDs, so this is a key range), newest first. */
export async function listScansOfProjectSince(project: ProjectId, since: number, max = 500): Promise<ScanRecord[]> {
  const { gsi2pk, gsi2skFrom } = keys.scansOfProjectSince(project, `${idPrefixes.scan}_${encodeTime(since, 10)}`)
  const found: ScanRecord[] = []
  let startKey: Record<string, unknown> | undefined
  do {
    const { Items = [], LastEvaluatedKey } = await documents().send(
      new (commands().QueryCommand)({
        TableName: tableName(),
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk >= :from',
        ExpressionAttributeValues: { ':pk': gsi2pk, ':from': gsi2skFrom },
        ScanIndexForward: false,
        Limit: max - found.length,
        ExclusiveStartKey: startKey,
      }),
    )
    found.push(...Items.map((item) => recordOf(scanRecord, item)))
    startKey = LastEvaluatedKey
  } while (startKey && found.length < max)
  return found
}

/**
 * Rate-limit windows whose TTL passed (DynamoDB deletes them within days; DynamoDB Local never does), a
 * bounded number of table pages per call, resuming where the previous call stopped.
 */
export async function sweepRateWindows(options: {
  startKey?: Record<string, unknown>
  maxPages: number
  dryRun: boolean
  now?: number
}): Promise<{ found: number; nextKey?: Record<string, unknown> }> {
  let startKey = options.startKey
  let found = 0
  for (let pages = 0; pages < options.maxPages; pages++) {
    const { Items = [], LastEvaluatedKey } = await documents().send(
      new (commands().ScanCommand)({
        TableName: tableName(),
        FilterExpression: 'begins_with(pk, :rate) AND expires_at_epoch < :now',
        ProjectionExpression: 'pk, sk',
        ExpressionAttributeValues: { ':rate': keys.rateWindowPrefix, ':now': epochSeconds(options.now) },
        ExclusiveStartKey: startKey,
      }),
    )
    found += Items.length
    if (!options.dryRun) await deleteKeys(Items as { pk: string; sk: string }[])
    startKey = LastEvaluatedKey
    if (!startKey) break
  }
  return { found, nextKey: startKey }
}
