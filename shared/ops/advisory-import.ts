// Imports OSV advisories from files: an all.zip, a .tar.gz, a record file, or a folder of them, read one record
// at a time and written in batches through the store (shared/data/advisories.ts). What the sync, the local
// stack and `npm run advisories -- import` call; kept out of the data layer, so the functions that only
// write a few records (the ops route) do not bundle the archive readers.
import { type ImportResult, markAdvisoriesSynced, putAdvisories } from '../data/advisories.js'
import { readOsvFiles, recordsOf } from '../scanning/engines/dependencies/osv-files.js'

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
