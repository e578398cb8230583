// OSV advisories: one item per record (kept whole as a JSON string: its nested lists would cost more as
// maps), and one item per package listing the ids of the records that affect it (a string set). A scan reads
// the package items of all its packages in batches of 100, then the records they name in batches of 100:
// tens of requests for a thousand packages, not a query per package (advisory-lookup.ts).
import { documents } from '../aws/clients.js'
import { OsvRecord, osvRecordMaxBytes, packagesOf } from '../scanning/engines/dependencies/osv.js'
import { isEcosystem } from '../scanning/engines/dependencies/types.js'
import * as z from '../zod.js'
import { commands, getItems, getRecord, putItems, queryRecords, recordOf, tableName, under } from './db.js'
import * as keys from './keys.js'

export type PackageRef = { ecosystem: string; name: string }

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
  records: z._default(z.number().check(z.int()), 0),
  /** The last sync or import that finished for the ecosystem; null while only counted. */
  synced_at: z._default(z.nullable(z.string()), null),
  /** The newest `modified` time the last sync saw: the next sync fetches what changed after it. */
  last_modified: z._default(z.nullable(z.string()), null),
  source: z._default(z.nullable(z.string()), null),
})
export type AdvisoryData = z.infer<typeof advisoryDataRecord>

/** A stored advisory: the record whole, with the packages it was filed under (to move it when they change). */
export const advisoryItem = z.object({
  id: z.string(),
  modified: z.string(),
  packages: z.array(z.object({ ecosystem: z.string(), name: z.string() })),
  osv: z.string(),
})
const packageId = ({ ecosystem, name }: PackageRef) => `${ecosystem}\u0000${name}`

/** The records worth writing: valid, under the size cap, naming a package Vega matches; the rest as notes. */
function parseCandidates(raw: unknown[], result: ImportResult) {
  const byId = new Map<string, { modified: string; packages: PackageRef[]; osv: string }>()
  for (const candidate of raw) {
    const parsed = OsvRecord.safeParse(candidate)
    const label = (candidate as { id?: unknown })?.id ?? '(no id)'
    if (!parsed.success) {
      result.skipped++
      result.notes.push(`${String(label).slice(0, 100)}: not an OSV record (${parsed.error.issues[0]?.message})`)
      continue
    }
    const osv = JSON.stringify(parsed.data)
    if (Buffer.byteLength(osv) > osvRecordMaxBytes) {
      result.skipped++
      result.notes.push(`${parsed.data.id}: ${Buffer.byteLength(osv)} bytes is over the record limit; skipped`)
      continue
    }
    const packages = packagesOf(parsed.data).filter(({ ecosystem }) => isEcosystem(ecosystem))
    if (packages.length === 0) {
      result.skipped++
      continue
    }
    // The same record twice in one import (a folder and a zip of it): the newest modification wins.
    const previous = byId.get(parsed.data.id)
    if (previous && previous.modified > parsed.data.modified) continue
    byId.set(parsed.data.id, { modified: parsed.data.modified, packages, osv })
  }
  return byId
}

type PackageIds = Map<string, { ref: PackageRef; ids: Set<string> }>

/** Adds ids to (or removes them from) each package's set, a few packages at a time. */
async function movePackageIds(changes: PackageIds, verb: 'ADD' | 'DELETE') {
  const pending = [...changes.values()]
  const worker = async () => {
    for (let change = pending.pop(); change; change = pending.pop())
      await documents().send(
        new (commands().UpdateCommand)({
          TableName: tableName(),
          Key: keys.advisoryPackage(change.ref.ecosystem, change.ref.name),
          UpdateExpression: `${verb} ids :ids`,
          ExpressionAttributeValues: { ':ids': change.ids },
        }),
      )
  }
  await Promise.all(Array.from({ length: 8 }, worker))
}

/**
 * Writes records (as parsed JSON, not yet validated) into the store, each replaced whole. The record's item
 * is written last: until then a lookup finds the older copy (or none), and a write cut short is redone by
 * the next import, since the stored copy is still older. A package the new copy no longer names loses it
 * first. A record the store holds at the same or a later `modified` is left alone (`unchanged`), so
 * importing the same data twice writes nothing. Records over the size cap, invalid ones, and ones that
 * affect no ecosystem Vega matches are skipped with a note.
 */
export async function putAdvisories(raw: unknown[]): Promise<ImportResult & { newest: Map<string, string> }> {
  const result: ImportResult = { imported: 0, updated: 0, unchanged: 0, skipped: 0, notes: [] }
  /** Per ecosystem, the newest `modified` among the records given (written or not). */
  const newest = new Map<string, string>()
  const candidates = parseCandidates(raw, result)
  const stored = new Map(
    (await getItems([...candidates.keys()].map(keys.advisoryRecord), 'id, modified, packages')).map((item) => {
      const before = recordOf(z.omit(advisoryItem, { osv: true }), item)
      return [before.id, before]
    }),
  )
  const writes: Record<string, unknown>[] = []
  const added: PackageIds = new Map()
  const removed: PackageIds = new Map()
  const note = (into: PackageIds, ref: PackageRef, id: string) => {
    const entry = into.get(packageId(ref)) ?? { ref, ids: new Set<string>() }
    entry.ids.add(id)
    into.set(packageId(ref), entry)
  }
  const newPerEcosystem = new Map<string, number>()
  for (const [id, { modified, packages, osv }] of candidates) {
    for (const { ecosystem } of packages) if (modified > (newest.get(ecosystem) ?? '')) newest.set(ecosystem, modified)
    const before = stored.get(id)
    if (before && before.modified >= modified) {
      result.unchanged++
      continue
    }
    writes.push({ ...keys.advisoryRecord(id), id, modified, packages, osv })
    const now = new Set(packages.map(packageId))
    for (const ref of packages) note(added, ref, id)
    for (const ref of before?.packages ?? []) if (!now.has(packageId(ref))) note(removed, ref, id)
    if (before) {
      result.updated++
      continue
    }
    result.imported++
    for (const ecosystem of new Set(packages.map((ref) => ref.ecosystem)))
      newPerEcosystem.set(ecosystem, (newPerEcosystem.get(ecosystem) ?? 0) + 1)
  }
  await movePackageIds(removed, 'DELETE')
  await movePackageIds(added, 'ADD')
  await putItems(writes)
  for (const [ecosystem, count] of newPerEcosystem) await countAdvisories(ecosystem, count)
  return { ...result, newest }
}

async function countAdvisories(ecosystem: string, count: number): Promise<void> {
  await documents().send(
    new (commands().UpdateCommand)({
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
    new (commands().UpdateCommand)({
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
