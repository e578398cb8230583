// OSV advisories, filed under each package they affect: one item per (package, record), so a scan reads one
// partition per package. The record is kept whole as a JSON string (its nested lists would cost more as maps).
import { BatchGetCommand, BatchWriteCommand, type NativeAttributeValue } from '@aws-sdk/lib-dynamodb'
import { documents } from '../aws/clients.js'
import type { AdvisorySource } from '../scanning/engines/dependencies/advisory-source.js'
import { OsvRecord, packagesOf } from '../scanning/engines/dependencies/osv.js'
import { osvFileLimits, readOsvFiles, recordsOfJson } from '../scanning/engines/dependencies/osv-files.js'
import { isEcosystem, normalisePackageName } from '../scanning/engines/dependencies/types.js'
import { primaryKey, queryByPrefix, tableName } from './db.js'
import { keys } from './keys.js'

export interface AdvisoryItem {
  pk: string
  sk: string
  id: string
  ecosystem: string
  package: string
  modified: string
  withdrawn?: string
  osv: string
}

export interface ImportResult {
  /** Records new to the store, and records that replaced a stored copy. */
  imported: number
  updated: number
  /** Invalid, oversized, or naming no ecosystem Vega matches. */
  skipped: number
  notes: string[]
}

type Key = { pk: string; sk: string }
const keyString = (key: Key) => `${key.pk}\u0000${key.sk}`
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

/** Which of these keys are stored already (BatchGet, 100 keys a call). */
async function existingKeys(wanted: Key[]): Promise<Set<string>> {
  const found = new Set<string>()
  for (let i = 0; i < wanted.length; i += 100) {
    await untilProcessed(wanted.slice(i, i + 100).map(primaryKey), async (batch) => {
      const answer = await documents().send(
        new BatchGetCommand({
          RequestItems: { [tableName()]: { Keys: batch, ProjectionExpression: 'pk, sk' } },
        }),
      )
      for (const item of answer.Responses?.[tableName()] ?? []) found.add(keyString(item as Key))
      return (answer.UnprocessedKeys?.[tableName()]?.Keys ?? []) as Key[]
    })
  }
  return found
}

async function writeItems(items: AdvisoryItem[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    await untilProcessed(
      items.slice(i, i + 25).map((item) => ({ PutRequest: { Item: item as Record<string, NativeAttributeValue> } })),
      async (batch) => {
        const answer = await documents().send(new BatchWriteCommand({ RequestItems: { [tableName()]: batch } }))
        return (answer.UnprocessedItems?.[tableName()] ?? []) as typeof batch
      },
    )
  }
}

/** The store's items for one record: one per affected package of an ecosystem Vega matches. */
export function itemsOf(record: OsvRecord, json = JSON.stringify(record)): AdvisoryItem[] {
  return packagesOf(record)
    .filter(({ ecosystem }) => isEcosystem(ecosystem))
    .map(({ ecosystem, name }) => ({
      ...keys.advisory(ecosystem, name, record.id),
      id: record.id,
      ecosystem,
      package: name,
      modified: record.modified,
      withdrawn: record.withdrawn,
      osv: json,
    }))
}

/**
 * Writes records (as parsed JSON, not yet validated) into the store. A record is `updated` when any of its
 * packages already held it, else `imported`. Records over the size cap, invalid ones, and ones that affect
 * no ecosystem Vega matches are skipped with a note.
 */
export async function putAdvisories(raw: unknown[]): Promise<ImportResult> {
  const result: ImportResult = { imported: 0, updated: 0, skipped: 0, notes: [] }
  const byKey = new Map<string, AdvisoryItem>()
  const recordKeys = new Map<string, Key[]>()
  for (const candidate of raw) {
    const parsed = OsvRecord.safeParse(candidate)
    const label = (candidate as { id?: unknown })?.id ?? '(no id)'
    if (!parsed.success) {
      result.skipped++
      result.notes.push(`${String(label).slice(0, 100)}: not an OSV record (${parsed.error.issues[0]?.message})`)
      continue
    }
    const json = JSON.stringify(parsed.data)
    if (Buffer.byteLength(json) > osvFileLimits.maxRecordBytes) {
      result.skipped++
      result.notes.push(`${parsed.data.id}: ${Buffer.byteLength(json)} bytes is over the record limit; skipped`)
      continue
    }
    const items = itemsOf(parsed.data, json)
    if (items.length === 0) {
      result.skipped++
      continue
    }
    // The same record twice in one import (a folder and a zip of it): the newest modification wins.
    const previous = recordKeys.has(parsed.data.id) ? byKey.get(keyString(items[0]!)) : undefined
    if (previous && previous.modified > parsed.data.modified) continue
    for (const item of items) byKey.set(keyString(item), item)
    recordKeys.set(parsed.data.id, items.map(primaryKey))
  }
  const stored = await existingKeys([...byKey.values()].map(primaryKey))
  await writeItems([...byKey.values()])
  for (const itemKeys of recordKeys.values()) {
    if (itemKeys.some((key) => stored.has(keyString(key)))) result.updated++
    else result.imported++
  }
  return result
}

/** Every stored advisory of one package (all pages of its partition); PyPI names are filed normalised (PEP 503). */
export async function advisoriesFor(ecosystem: string, name: string): Promise<OsvRecord[]> {
  const { pk, skPrefix } = keys.advisoriesOf(ecosystem, normalisePackageName(ecosystem, name))
  const records: OsvRecord[] = []
  for (let page = await queryByPrefix<AdvisoryItem>({ partition: pk, prefix: skPrefix }); ; ) {
    for (const item of page.items) records.push(OsvRecord.parse(JSON.parse(item.osv)))
    if (!page.lastKey) return records
    page = await queryByPrefix<AdvisoryItem>({
      partition: pk,
      prefix: skPrefix,
      page: { limit: 100, startKey: page.lastKey },
    })
  }
}

/** The engine's advisory source over the store. */
export const dynamoAdvisorySource = (): AdvisorySource => ({
  forPackage: (ecosystem, name) => advisoriesFor(ecosystem, name),
})

export interface ImportProgress extends ImportResult {
  /** Records read so far. */
  read: number
}

/**
 * Imports every OSV record under a path (an all.zip, a .json, or a folder of either), in batches, telling
 * `onProgress` after each batch. What the ops route, the local stack and `npm run advisories` call.
 */
export async function importAdvisoriesFrom(
  path: string,
  options: { batchSize?: number; onProgress?: (progress: ImportProgress) => void } = {},
): Promise<ImportProgress> {
  const total: ImportProgress = { read: 0, imported: 0, updated: 0, skipped: 0, notes: [] }
  let batch: unknown[] = []
  const flush = async () => {
    if (batch.length === 0) return
    const done = await putAdvisories(batch)
    batch = []
    total.imported += done.imported
    total.updated += done.updated
    total.skipped += done.skipped
    total.notes.push(...done.notes)
    options.onProgress?.(total)
  }
  for await (const item of readOsvFiles(path)) {
    if ('note' in item) {
      total.skipped++
      total.notes.push(`${item.source}: ${item.note}`)
      continue
    }
    let records: unknown[]
    try {
      records = recordsOfJson(item.text)
    } catch (error) {
      total.skipped++
      total.notes.push(`${item.source}: not JSON (${error instanceof Error ? error.message.slice(0, 100) : error})`)
      continue
    }
    total.read += records.length
    batch.push(...records)
    if (batch.length >= (options.batchSize ?? 250)) await flush()
  }
  await flush()
  return total
}
