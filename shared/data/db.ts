// What every repository shares: the table's name, and a page of a query.
import type { NativeAttributeValue, TransactWriteCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb'
import { documents, sdk } from '../aws/clients.js'
import { config } from '../config.js'
import * as z from '../zod.js'

export const tableName = () => config().TABLE_NAME

/**
 * The document client's command classes, loaded with the first command sent, not when a module imports
 * the data layer: the route schemas reuse its record schemas, so every function imports it, and a request
 * that needs no table (docs, a preflight, a refusal) should not load the SDK. Call sites name the command
 * (`new (commands().UpdateCommand)(…)`), which is how test/infra/access.test.ts finds what each function sends.
 */
export const commands = () => sdk.documents()

export type StartKey = Record<string, NativeAttributeValue>
export interface PageRequest {
  limit: number
  startKey?: StartKey
}
export interface Page<T> {
  items: T[]
  lastKey?: StartKey
}

export const epochSeconds = (date: Date | number = Date.now()) => Math.floor(new Date(date).getTime() / 1000)

/** DynamoDB's TTL deletes lazily (within days): reads treat an item past its expiry as gone. */
export const expired = (item: { expires_at_epoch?: number } | undefined, now = Date.now()) =>
  item?.expires_at_epoch !== undefined && item.expires_at_epoch * 1000 <= now

export const isConditionFailure = (error: unknown) =>
  error instanceof Error &&
  (error.name === 'ConditionalCheckFailedException' || error.name === 'TransactionCanceledException')

/**
 * An update guarded by its condition: true when it was applied, false when the condition failed (the item
 * moved on, or is gone); any other error is thrown.
 */
export async function updateIf(update: Omit<UpdateCommandInput, 'TableName'>): Promise<boolean> {
  return (await updateReturning(update)) !== undefined
}

/**
 * A conditional update's returned attributes (its `ReturnValues`; empty when it asks for none), or
 * undefined when the condition was not met.
 */
export async function updateReturning(
  update: Omit<UpdateCommandInput, 'TableName'>,
): Promise<Record<string, unknown> | undefined> {
  try {
    const { Attributes } = await documents().send(new (commands().UpdateCommand)({ TableName: tableName(), ...update }))
    return Attributes ?? {}
  } catch (error) {
    if (isConditionFailure(error)) return undefined
    throw error
  }
}

/** One item by its key, or undefined; `consistent` reads what the last write wrote. */
export async function getItem(
  key: { pk: string; sk: string },
  options: { consistent?: boolean; projection?: string } = {},
): Promise<StoredItem | undefined> {
  const { Item } = await documents().send(
    new (commands().GetCommand)({
      TableName: tableName(),
      Key: primaryKey(key),
      ConsistentRead: options.consistent,
      ProjectionExpression: options.projection,
    }),
  )
  return Item
}

/** One item by its key, read back as its entity's record (see `recordOf`). */
export async function getRecord<S extends z.core.$ZodType>(
  schema: S,
  key: { pk: string; sk: string },
  options: { consistent?: boolean } = {},
): Promise<z.output<S> | undefined> {
  return recordOf(schema, await getItem(key, options))
}

/** A stored item, with its keys and index attributes: what key-level work (deletes, moves) reads. */
export type StoredItem = Record<string, NativeAttributeValue>

/** The table key of an item whose key builder also names its index attributes. */
export const primaryKey = ({ pk, sk }: StoredItem): { pk: string; sk: string } => ({ pk, sk })

/** A stored item that does not fit its record: a fault of ours (500, logged), never the caller's input (422). */
export class StoredRecordError extends Error {
  constructor(readonly issues: string[]) {
    super(`a stored item does not fit its record: ${issues.join('; ')}`)
    this.name = 'StoredRecordError'
  }
}

/**
 * An item read back as its entity's record: the schema strips keys and index attributes and checks the
 * rest, so an item that does not fit fails here (a 500) instead of answering with a wrong shape later.
 */
export function recordOf<S extends z.core.$ZodType>(schema: S, item: unknown): z.output<S>
export function recordOf<S extends z.core.$ZodType>(schema: S, item: unknown | undefined): z.output<S> | undefined
export function recordOf<S extends z.core.$ZodType>(schema: S, item: unknown): z.output<S> | undefined {
  if (item === undefined) return undefined
  const parsed = z.safeParse(schema, item)
  if (parsed.success) return parsed.data
  // Field paths and messages only: the stored values may be secret.
  throw new StoredRecordError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`))
}

type KeyFamily =
  | { pk: string; skPrefix: string }
  | { gsi1pk: string; gsi1skPrefix: string }
  | { gsi2pk: string; gsi2skPrefix: string }

/** Where to query for a key family of keys.ts: the table (`pk`, `skPrefix`) or the index its keys name. */
export function under(family: KeyFamily): { index?: 'gsi1' | 'gsi2'; partition: string; prefix: string } {
  if ('gsi1pk' in family) return { index: 'gsi1', partition: family.gsi1pk, prefix: family.gsi1skPrefix }
  if ('gsi2pk' in family) return { index: 'gsi2', partition: family.gsi2pk, prefix: family.gsi2skPrefix }
  return { partition: family.pk, prefix: family.skPrefix }
}

/** `queryByPrefix`, each item parsed as a record of `schema`. */
export async function queryRecords<S extends z.core.$ZodType>(
  schema: S,
  where: Parameters<typeof queryByPrefix>[0],
): Promise<Page<z.output<S>>> {
  const page = await queryByPrefix(where)
  return { items: page.items.map((item) => recordOf(schema, item)), lastKey: page.lastKey }
}

/** The items under one partition whose sort key starts with a prefix, on the table or an index. */
export async function queryByPrefix(where: {
  index?: 'gsi1' | 'gsi2'
  partition: string
  prefix: string
  page?: PageRequest
  newestFirst?: boolean
  /** Keeps only items in this status (a filter: pages may come back shorter than the limit). */
  status?: string
  /** Only these attributes of each item (a ProjectionExpression of plain names). */
  attributes?: string[]
}): Promise<Page<StoredItem>> {
  const [pk, sk] = where.index ? [`${where.index}pk`, `${where.index}sk`] : ['pk', 'sk']
  const { Items = [], LastEvaluatedKey } = await documents().send(
    new (commands().QueryCommand)({
      TableName: tableName(),
      IndexName: where.index,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': pk, '#sk': sk, ...(where.status ? { '#status': 'status' } : {}) },
      ExpressionAttributeValues: {
        ':pk': where.partition,
        ':prefix': where.prefix,
        ...(where.status ? { ':status': where.status } : {}),
      },
      FilterExpression: where.status ? '#status = :status' : undefined,
      ProjectionExpression: where.attributes?.join(', '),
      ScanIndexForward: !where.newestFirst,
      Limit: where.page?.limit,
      ExclusiveStartKey: where.page?.startKey,
    }),
  )
  return { items: Items, lastKey: LastEvaluatedKey }
}

export type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>

/**
 * All or nothing; a failed condition becomes the caller's error (a 409, usually), told which item's
 * condition failed (its index in `items`). A transaction that lost a race with another one on the same
 * item (TransactionConflict: two scans moving one repository's counters) is sent again after a short
 * random wait: a conflict is not a failed condition, and must never read as one.
 */
export async function transact(items: TransactItems, onConditionFailure: (failedItem: number) => Error): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await documents().send(new (commands().TransactWriteCommand)({ TransactItems: items }))
      return
    } catch (error) {
      if (!isConditionFailure(error)) throw error
      const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []
      const failed = reasons.findIndex((reason) => reason.Code === 'ConditionalCheckFailed')
      if (failed !== -1 || (error as Error).name === 'ConditionalCheckFailedException') throw onConditionFailure(failed)
      if (!reasons.some((reason) => reason.Code === 'TransactionConflict') || attempt >= 8) throw error
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 25 * 2 ** attempt))
    }
  }
}

/** DynamoDB's limits on one TransactWriteItems request: 100 items, 4 MB in all (some of it kept for the wire). */
const transactionItems = 100
const transactionBytes = 3 * 1024 ** 2

/**
 * The list cut, in order, into runs of at most `most` entries and about `bytes` of JSON (a run holds at least
 * one entry): what fits in one request.
 */
export function runsWithin<T>(
  list: readonly T[],
  most: number,
  sizeOf: (entry: T) => number = (entry) => JSON.stringify(entry).length,
  bytes = transactionBytes,
): T[][] {
  const runs: T[][] = []
  let run: T[] = []
  let runBytes = 0
  for (const entry of list) {
    const size = sizeOf(entry)
    if (run.length > 0 && (run.length >= most || runBytes + size > bytes)) {
      runs.push(run)
      run = []
      runBytes = 0
    }
    run.push(entry)
    runBytes += size
  }
  if (run.length > 0) runs.push(run)
  return runs
}

/**
 * Independent conditional writes, sent together: in transactions of up to 100 items (conditional writes
 * cannot go in a BatchWriteItem). Each item takes effect exactly when its condition holds, as if sent
 * alone: an item whose condition failed is left out and the rest of its transaction sent again, and a
 * transaction that met another one on an item (TransactionConflict) is sent again after a short random
 * wait. Returns the positions (in `items`) of the items whose condition failed. The items must name
 * different keys; a transaction costs twice the write units of the same writes sent alone, for a request
 * per 100 writes instead of one each.
 */
export async function transactEach(items: TransactItems): Promise<number[]> {
  const failed: number[] = []
  const positions = items.map((_, at) => at)
  for (let group of runsWithin(positions, transactionItems, (at) => JSON.stringify(items[at]).length)) {
    let conflicts = 0
    while (group.length > 0) {
      try {
        await documents().send(new (commands().TransactWriteCommand)({ TransactItems: group.map((at) => items[at]!) }))
        break
      } catch (error) {
        if ((error as Error).name !== 'TransactionCanceledException') throw error
        const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []
        const unmet = group.filter((_, i) => reasons[i]?.Code === 'ConditionalCheckFailed')
        if (unmet.length > 0) {
          failed.push(...unmet)
          group = group.filter((at) => !unmet.includes(at))
          continue
        }
        if (!reasons.some((reason) => reason.Code === 'TransactionConflict') || ++conflicts >= 8) throw error
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 25 * 2 ** conflicts))
      }
    }
  }
  return failed.sort((a, b) => a - b)
}

/** The transaction item that takes a unique name (or any key) for its owner; it fails if taken. */
export const claimKey = (key: { pk: string; sk: string }, owner: Record<string, string>) => ({
  Put: { TableName: tableName(), Item: { ...key, ...owner }, ConditionExpression: 'attribute_not_exists(pk)' },
})

/** The transaction item that deletes an item while its condition holds. */
export const deleteWhen = (
  key: { pk: string; sk: string },
  condition: string,
  values?: StoredItem,
  names?: Record<string, string>,
) => ({
  Delete: {
    TableName: tableName(),
    Key: primaryKey(key),
    ConditionExpression: condition,
    ...(values ? { ExpressionAttributeValues: values } : {}),
    ...(names ? { ExpressionAttributeNames: names } : {}),
  },
})

/** The transaction item that adds `delta` to a counter, while the condition holds. */
export const addToCounter = (
  key: { pk: string; sk: string },
  counter: string,
  delta: number,
  condition: string,
  values: StoredItem = {},
) => ({
  Update: {
    TableName: tableName(),
    Key: primaryKey(key),
    UpdateExpression: `ADD ${counter} :delta`,
    ConditionExpression: condition,
    ExpressionAttributeValues: { ':delta': delta, ...values },
  },
})

/** The transaction item that gives a claimed key back. */
export const releaseKey = (key: { pk: string; sk: string }) => ({
  Delete: { TableName: tableName(), Key: primaryKey(key) },
})

/**
 * The writes that move a unique name: claim the new one, give the old one back. None when the name stays
 * (names compare without case, so a change of case keeps its claim).
 */
export function renameWrites(
  from: string,
  to: string | undefined,
  keyOf: (name: string) => Key,
  owner: Record<string, string>,
): TransactItems {
  if (to === undefined || to.toLowerCase() === from.toLowerCase()) return []
  return [claimKey(keyOf(to), owner), releaseKey(keyOf(from))]
}

type Key = { pk: string; sk: string }

/**
 * Changes the given fields of an item that holds a unique name (and its `updated_at`), moving the name's
 * claim in the same transaction; a name already taken fails it as `onTaken`.
 */
export async function updateNamed<T extends { name: string; updated_at: string }>(
  current: T,
  changes: Partial<T>,
  named: { key: Key; nameKey: (name: string) => Key; owner: Record<string, string>; onTaken: (name: string) => Error },
): Promise<T> {
  const fields = [...Object.keys(changes).filter((field) => changes[field as keyof T] !== undefined), 'updated_at']
  const next: T = { ...current, ...changes, updated_at: new Date().toISOString() }
  const value = (field: string) => next[field as keyof T] as NativeAttributeValue
  await transact(
    [
      {
        Update: {
          TableName: tableName(),
          Key: primaryKey(named.key),
          UpdateExpression: `SET ${fields.map((_, i) => `#f${i} = :f${i}`).join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: Object.fromEntries(fields.map((field, i) => [`#f${i}`, field])),
          ExpressionAttributeValues: Object.fromEntries(fields.map((field, i) => [`:f${i}`, value(field)])),
        },
      },
      ...renameWrites(current.name, changes.name, named.nameKey, named.owner),
    ],
    () => named.onTaken(next.name),
  )
  return next
}
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Sends requests until DynamoDB has taken them all; what it hands back unprocessed goes again, after a backoff. */
async function untilProcessed<T>(first: T[], send: (batch: T[]) => Promise<T[]>): Promise<void> {
  let pending = first
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > 0) {
      if (attempt > 10) throw new Error(`DynamoDB left ${pending.length} requests unprocessed after 10 retries`)
      await pause(Math.min(50 * 2 ** attempt, 2000))
    }
    pending = await send(pending)
  }
}

/**
 * Runs each job, at most `width` at a time, in order; when one fails the rest are not started, and the
 * first failure is thrown once the running ones have settled.
 */
async function inTurn(width: number, jobs: (() => Promise<void>)[]): Promise<void> {
  let next = 0
  let failure: { error: unknown } | undefined
  const lane = async () => {
    while (next < jobs.length && !failure) {
      const job = jobs[next++]!
      try {
        await job()
      } catch (error) {
        failure ??= { error }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, lane))
  if (failure) throw failure.error
}

/** Cuts `items` into runs of `size`. */
const runsOf = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, at) => items.slice(at * size, (at + 1) * size))

/** BatchWrite, 25 requests a call, until every one is taken. */
async function writeBatches(requests: Record<string, NativeAttributeValue>[]): Promise<void> {
  for (const run of runsOf(requests, 25)) {
    await untilProcessed(run, async (batch) => {
      const answer = await documents().send(
        new (commands().BatchWriteCommand)({ RequestItems: { [tableName()]: batch } }),
      )
      return (answer.UnprocessedItems?.[tableName()] ?? []) as typeof batch
    })
  }
}

/** Deletes items by key. */
export const deleteKeys = (keysToDelete: StoredItem[]) =>
  writeBatches(keysToDelete.map((key) => ({ DeleteRequest: { Key: primaryKey(key) } })))

/** Puts items (each carrying its keys), unconditionally. */
export const putItems = (items: Record<string, NativeAttributeValue>[]) =>
  writeBatches(items.map((item) => ({ PutRequest: { Item: item } })))

/** Many items by key (BatchGet, 100 keys a call, four calls at a time), in no particular order; missing keys are left out. */
export async function getItems(wanted: Key[], projection?: string): Promise<StoredItem[]> {
  const found: StoredItem[] = []
  await inTurn(
    4,
    runsOf(wanted.map(primaryKey), 100).map(
      (run) => () =>
        untilProcessed(run, async (batch) => {
          const answer = await documents().send(
            new (commands().BatchGetCommand)({
              RequestItems: {
                [tableName()]: { Keys: batch, ...(projection ? { ProjectionExpression: projection } : {}) },
              },
            }),
          )
          found.push(...(answer.Responses?.[tableName()] ?? []))
          return (answer.UnprocessedKeys?.[tableName()]?.Keys ?? []) as Key[]
        }),
    ),
  )
  return found
}

/** Every item of a partition whose sort key lies in [from, to], all pages. */
export async function queryRange(range: { pk: string; from: string; to: string }): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = []
  let startKey: StartKey | undefined
  do {
    const { Items = [], LastEvaluatedKey } = await documents().send(
      new (commands().QueryCommand)({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': range.pk, ':from': range.from, ':to': range.to },
        ExclusiveStartKey: startKey,
      }),
    )
    found.push(...Items)
    startKey = LastEvaluatedKey
  } while (startKey)
  return found
}
