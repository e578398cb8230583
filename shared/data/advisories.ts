// OSV advisories, filed under each package they affect: one item per (package, record), so a scan reads one
// partition per package. The record is kept whole as a JSON string (its nested lists would cost more as maps).

import { UpdateCommand } from '@aws-sdk/lib-dynamodb'
import { z } from 'zod'
import { documents } from '../aws/clients.js'
import type { AdvisorySource } from '../scanning/engines/dependencies/advisory-source.js'
import { OsvRecord, packagesOf } from '../scanning/engines/dependencies/osv.js'
import { osvFileLimits, readOsvFiles, recordsOf } from '../scanning/engines/dependencies/osv-files.js'
import { isEcosystem, normalisePackageName } from '../scanning/engines/dependencies/types.js'
import {
  deleteKeys,
  getItems,
  getRecord,
  putItems,
  queryByPrefix,
  queryRecords,
  recordOf,
  type StoredItem,
  tableName,
  under,
} from './db.js'
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
  /** Records new to the store, and records that replaced an older stored copy. */
  imported: number
  updated: number
  /** Records the store already held at the same or a later modification: nothing was written. */
  unchanged: number
  /** Invalid, oversized, or naming no ecosystem Vega matches. */
  skipped: number
  notes: string[]
}

/** Per ecosystem: what the store holds and where it came from, as every dependency finding reports it. */
export const advisoryDataRecord = z.object({
  ecosystem: z.string(),
  /** Advisories stored for the ecosystem (a record counts once, however many packages it names). */
  records: z.number().int().default(0),
  /** The last sync or import that finished for the ecosystem; null while only counted. */
  synced_at: z.string().nullable().default(null),
  /** The newest `modified` time the last sync saw: the next sync fetches what changed after it. */
  last_modified: z.string().nullable().default(null),
  source: z.string().nullable().default(null),
})
export type AdvisoryData = z.infer<typeof advisoryDataRecord>

const advisoryIndex = z.object({
  id: z.string(),
  modified: z.string(),
  packages: z.array(z.object({ ecosystem: z.string(), name: z.string() })),
})

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

/** The records worth writing: valid, under the size cap, naming a package Vega matches; the rest as notes. */
function parseCandidates(
  raw: unknown[],
  result: ImportResult,
): Map<string, { modified: string; items: AdvisoryItem[] }> {
  const byId = new Map<string, { modified: string; items: AdvisoryItem[] }>()
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
    const previous = byId.get(parsed.data.id)
    if (previous && previous.modified > parsed.data.modified) continue
    byId.set(parsed.data.id, { modified: parsed.data.modified, items })
  }
  return byId
}

/**
 * Writes records (as parsed JSON, not yet validated) into the store, each replaced whole: its items under
 * every package it names, its index, and the removal of packages an older copy named and this one does
 * not. A record the store holds at the same or a later `modified` is left alone (`unchanged`), so importing
 * the same data twice writes nothing. Records over the size cap, invalid ones, and ones that affect no
 * ecosystem Vega matches are skipped with a note.
 */
export async function putAdvisories(raw: unknown[]): Promise<ImportResult & { newest: Map<string, string> }> {
  const result: ImportResult = { imported: 0, updated: 0, unchanged: 0, skipped: 0, notes: [] }
  /** Per ecosystem, the newest `modified` among the records given (written or not). */
  const newest = new Map<string, string>()
  const candidates = parseCandidates(raw, result)
  const stored = new Map(
    (await getItems([...candidates.keys()].map(keys.advisoryRecord))).map((item) => {
      const index = recordOf(advisoryIndex, item)
      return [index.id, index]
    }),
  )
  const writes: StoredItem[] = []
  const dropped: StoredItem[] = []
  const newPerEcosystem = new Map<string, number>()
  for (const [id, { modified, items }] of candidates) {
    for (const { ecosystem } of items) if (modified > (newest.get(ecosystem) ?? '')) newest.set(ecosystem, modified)
    const before = stored.get(id)
    if (before && before.modified >= modified) {
      result.unchanged++
      continue
    }
    const packages = items.map(({ ecosystem, package: name }) => ({ ecosystem, name }))
    writes.push(...items, { ...keys.advisoryRecord(id), id, modified, packages })
    const kept = new Set(items.map((item) => item.pk))
    for (const { ecosystem, name } of before?.packages ?? []) {
      const key = keys.advisory(ecosystem, name, id)
      if (!kept.has(key.pk)) dropped.push(key)
    }
    if (before) result.updated++
    else {
      result.imported++
      for (const ecosystem of new Set(items.map((item) => item.ecosystem)))
        newPerEcosystem.set(ecosystem, (newPerEcosystem.get(ecosystem) ?? 0) + 1)
    }
  }
  await putItems(writes)
  await deleteKeys(dropped)
  for (const [ecosystem, count] of newPerEcosystem) await countAdvisories(ecosystem, count)
  return { ...result, newest }
}

async function countAdvisories(ecosystem: string, count: number): Promise<void> {
  await documents().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.advisoryData(ecosystem),
      UpdateExpression: 'SET ecosystem = :ecosystem ADD records :count',
      ExpressionAttributeValues: { ':ecosystem': ecosystem, ':count': count },
    }),
  )
}

/** Marks an ecosystem synced (or imported) now, from `source`, up to `lastModified`. */
export async function markAdvisoriesSynced(
  ecosystem: string,
  done: { source: string; lastModified: string | null; at?: string },
): Promise<void> {
  await documents().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.advisoryData(ecosystem),
      UpdateExpression: 'SET ecosystem = :ecosystem, synced_at = :at, last_modified = :modified, #source = :source',
      ExpressionAttributeNames: { '#source': 'source' },
      ExpressionAttributeValues: {
        ':ecosystem': ecosystem,
        ':at': done.at ?? new Date().toISOString(),
        ':modified': done.lastModified,
        ':source': done.source,
      },
    }),
  )
}

/** What the store holds per ecosystem (those never synced or imported are absent). */
export async function advisoryData(): Promise<AdvisoryData[]> {
  return (await queryRecords(advisoryDataRecord, under(keys.advisoryDataAll()))).items
}

export async function advisoryDataOf(ecosystem: string): Promise<AdvisoryData | undefined> {
  return getRecord(advisoryDataRecord, keys.advisoryData(ecosystem))
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
  dataFor: async (ecosystem) => {
    const data = await advisoryDataOf(ecosystem)
    return { records: data?.records ?? 0, synced_at: data?.synced_at ?? null }
  },
})

export interface ImportProgress extends ImportResult {
  /** Records read so far. */
  read: number
  /** Per ecosystem met, the newest `modified` among its records. */
  newest: Map<string, string>
}

/**
 * Imports every OSV record under a path (an all.zip, a .tar.gz, a record file, or a folder of them), in
 * batches, telling `onProgress` after each batch, then marks each ecosystem it met as imported from
 * `source` (the path, unless told otherwise). What the sync, the local stack and `npm run advisories` call.
 */
export async function importAdvisoriesFrom(
  path: string,
  options: {
    batchSize?: number
    onProgress?: (progress: ImportProgress) => void
    source?: string
    /** The newest modification of the data set when the caller knows it (a sync's modified_id.csv). */
    lastModified?: string
  } = {},
): Promise<ImportProgress> {
  const total: ImportProgress = {
    read: 0,
    imported: 0,
    updated: 0,
    unchanged: 0,
    skipped: 0,
    notes: [],
    newest: new Map(),
  }
  let batch: unknown[] = []
  const flush = async () => {
    if (batch.length === 0) return
    const done = await putAdvisories(batch)
    batch = []
    total.imported += done.imported
    total.updated += done.updated
    total.unchanged += done.unchanged
    total.skipped += done.skipped
    total.notes.push(...done.notes)
    for (const [ecosystem, modified] of done.newest)
      if (modified > (total.newest.get(ecosystem) ?? '')) total.newest.set(ecosystem, modified)
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
      records = recordsOf(item)
    } catch (error) {
      total.skipped++
      total.notes.push(
        `${item.source}: not JSON or YAML (${error instanceof Error ? error.message.slice(0, 100) : error})`,
      )
      continue
    }
    total.read += records.length
    batch.push(...records)
    if (batch.length >= (options.batchSize ?? 250)) await flush()
  }
  await flush()
  for (const [ecosystem, modified] of total.newest)
    await markAdvisoriesSynced(ecosystem, {
      source: options.source ?? path,
      lastModified: options.lastModified ?? modified,
    })
  return total
}
