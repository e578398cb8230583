// OSV advisories, filed under each package they affect: one item per (package, record), so a scan reads one
// partition per package. The record is kept whole as a JSON string (its nested lists would cost more as maps).
import type { AdvisorySource } from '../scanning/engines/dependencies/advisory-source.js'
import { OsvRecord, packagesOf } from '../scanning/engines/dependencies/osv.js'
import { osvFileLimits, readOsvFiles, recordsOfJson } from '../scanning/engines/dependencies/osv-files.js'
import { isEcosystem, normalisePackageName } from '../scanning/engines/dependencies/types.js'
import { getItems, primaryKey, putItems, queryByPrefix } from './db.js'
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

/** Which of these keys are stored already. */
async function existingKeys(wanted: Key[]): Promise<Set<string>> {
  return new Set((await getItems(wanted, 'pk, sk')).map((item) => keyString({ pk: item.pk, sk: item.sk })))
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
  await putItems([...byKey.values()])
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
  for (let page = await queryByPrefix({ partition: pk, prefix: skPrefix }); ; ) {
    for (const item of page.items) records.push(OsvRecord.parse(JSON.parse(String(item.osv))))
    if (!page.lastKey) return records
    page = await queryByPrefix({
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
