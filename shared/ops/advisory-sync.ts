// Keeps the advisory store current from OSV's public export, one ecosystem at a time. The export holds, per
// ecosystem, `all.zip` (every record), `modified_id.csv` (`<modified>,<id>` per record, newest first) and
// `<id>.json`. The first sync of an ecosystem imports all.zip; later ones fetch only the records modified
// since the last one. An ecosystem is marked synced only after all its records are written, so a sync that
// fails part way is simply run again (each record is replaced whole, and an unchanged one is not rewritten).
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { advisoryData, advisoryDataOf, markAdvisoriesSynced, putAdvisories } from '../data/advisories.js'
import { osvFileLimits } from '../scanning/engines/dependencies/osv-files.js'
import { type Ecosystem, ecosystems } from '../scanning/engines/dependencies/types.js'
import { importAdvisoriesFrom } from './advisory-import.js'

export const syncLimits = {
  /** modified_id.csv of npm, the largest, is a few MB. */
  maxIndexBytes: 64 * 1024 * 1024,
  /** More changed records than this since the last sync: all.zip is cheaper than one request each. */
  maxIncremental: 2_000,
  fetchTimeoutMs: 60_000,
  /** all.zip of npm is a few hundred MB. */
  downloadTimeoutMs: 10 * 60_000,
  attempts: 3,
  concurrency: 8,
}

export interface EcosystemSync {
  ecosystem: Ecosystem
  /** `full`: all.zip imported; `incremental`: the changed records fetched; `up_to_date`: nothing changed. */
  mode: 'full' | 'incremental' | 'up_to_date'
  changed: number
  imported: number
  updated: number
  unchanged: number
  skipped: number
  /** Advisories stored for the ecosystem after the sync. */
  records: number
  last_modified: string | null
}

export interface SyncFailure {
  ecosystem: Ecosystem
  error: string
}

/** Where the export is read: an HTTP(S) base URL, or a folder laid out the same way (a mirror, tests). */
interface Export {
  name: string
  text(path: string, maxBytes: number): Promise<string | undefined>
  /** Copies a file to `to`; false when the export has no such file. */
  download(path: string, to: string, maxBytes: number): Promise<boolean>
}

class NotRetryable extends Error {}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A GET that is retried on network errors and 5xx with backoff; 404 is an answer (undefined), not a failure. */
async function get(url: string, timeoutMs: number): Promise<Response | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' })
      if (response.status === 404) return undefined
      if (response.ok) return response
      const failure = `${url} answered ${response.status}`
      if (response.status < 500 && response.status !== 429) throw new NotRetryable(failure)
      throw new Error(failure)
    } catch (error) {
      if (error instanceof NotRetryable || attempt >= syncLimits.attempts) throw error
      await pause(500 * 4 ** (attempt - 1))
    }
  }
}

/** Counts bytes through a stream and fails it past the cap. */
const capped = (maxBytes: number, what: string) => {
  let seen = 0
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length
      done(seen > maxBytes ? new Error(`${what} is over ${maxBytes} bytes`) : undefined, chunk)
    },
  })
}

function httpExport(base: string): Export {
  const url = (path: string) => `${base.replace(/\/+$/, '')}/${path.split('/').map(encodeURIComponent).join('/')}`
  return {
    name: base,
    async text(path, maxBytes) {
      const response = await get(url(path), syncLimits.fetchTimeoutMs)
      if (!response) return undefined
      const body = Buffer.from(await response.arrayBuffer())
      if (body.length > maxBytes) throw new NotRetryable(`${url(path)} is over ${maxBytes} bytes`)
      return body.toString('utf8')
    },
    async download(path, to, maxBytes) {
      const response = await get(url(path), syncLimits.downloadTimeoutMs)
      if (!response?.body) return false
      await pipeline(
        Readable.fromWeb(response.body as import('node:stream/web').ReadableStream),
        capped(maxBytes, url(path)),
        createWriteStream(to),
      )
      return true
    },
  }
}

function folderExport(root: string): Export {
  const sizeOf = async (path: string) => (await stat(join(root, path)).catch(() => undefined))?.size
  return {
    name: root,
    async text(path, maxBytes) {
      const size = await sizeOf(path)
      if (size === undefined) return undefined
      if (size > maxBytes) throw new Error(`${path} is over ${maxBytes} bytes`)
      return readFile(join(root, path), 'utf8')
    },
    async download(path, to, maxBytes) {
      const size = await sizeOf(path)
      if (size === undefined) return false
      if (size > maxBytes) throw new Error(`${path} is over ${maxBytes} bytes`)
      await pipeline(createReadStream(join(root, path)), createWriteStream(to))
      return true
    },
  }
}

const exportAt = (from: string): Export => (/^https?:\/\//i.test(from) ? httpExport(from) : folderExport(from))

/** An OSV id as the export names its file: nothing that could step out of the ecosystem's folder. */
const osvId = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/

/** The rows of modified_id.csv newer than `since`, newest first; malformed rows are dropped. */
export function changedSince(csv: string, since: string | null): { id: string; modified: string }[] {
  const rows: { id: string; modified: string }[] = []
  for (const line of csv.split('\n')) {
    const [modified, id] = line.trim().split(',')
    if (!modified || !id || !osvId.test(id) || Number.isNaN(Date.parse(modified))) continue
    if (since !== null && Date.parse(modified) <= Date.parse(since)) continue
    rows.push({ id, modified })
  }
  return rows.sort((a, b) => Date.parse(b.modified) - Date.parse(a.modified))
}

/** The newest modification the index lists, or null for an empty one. */

async function fullImport(source: Export, ecosystem: Ecosystem, lastModified: string | null) {
  const dir = await mkdtemp(join(tmpdir(), 'vega-osv-'))
  try {
    const zip = join(dir, 'all.zip')
    if (!(await source.download(`${ecosystem}/all.zip`, zip, osvFileLimits.maxZipBytes)))
      throw new Error(`${source.name} has no ${ecosystem}/all.zip`)
    return await importAdvisoriesFrom(zip, { source: source.name, lastModified: lastModified ?? undefined })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Fetches the changed records, a few at a time, and writes them in batches. */
async function incrementalImport(source: Export, ecosystem: Ecosystem, changed: { id: string }[]) {
  const totals = { imported: 0, updated: 0, unchanged: 0, skipped: 0 }
  for (let i = 0; i < changed.length; i += 100) {
    const slice = changed.slice(i, i + 100)
    const records: unknown[] = []
    for (let j = 0; j < slice.length; j += syncLimits.concurrency) {
      const texts = await Promise.all(
        slice
          .slice(j, j + syncLimits.concurrency)
          .map(({ id }) => source.text(`${ecosystem}/${id}.json`, osvFileLimits.maxRecordBytes)),
      )
      // A record listed but gone from the export (rare: the index is written after the records) is skipped.
      for (const text of texts) if (text !== undefined) records.push(JSON.parse(text))
      totals.skipped += texts.filter((text) => text === undefined).length
    }
    const done = await putAdvisories(records)
    totals.imported += done.imported
    totals.updated += done.updated
    totals.unchanged += done.unchanged
    totals.skipped += done.skipped
  }
  return totals
}

async function syncEcosystem(source: Export, ecosystem: Ecosystem): Promise<EcosystemSync> {
  const before = await advisoryDataOf(ecosystem)
  const index = await source.text(`${ecosystem}/modified_id.csv`, syncLimits.maxIndexBytes)
  // Read once, newest first: the newest row is where the next sync starts from.
  const rows = index === undefined ? undefined : changedSince(index, null)
  const newest = rows?.[0]?.modified ?? null
  const since = before?.synced_at ? before.last_modified : null
  const changed =
    rows === undefined || since === null
      ? undefined
      : rows.filter(({ modified }) => Date.parse(modified) > Date.parse(since))
  const counts = async () => (await advisoryDataOf(ecosystem))?.records ?? 0

  if (changed && changed.length === 0)
    return {
      ecosystem,
      mode: 'up_to_date',
      changed: 0,
      imported: 0,
      updated: 0,
      unchanged: 0,
      skipped: 0,
      records: await counts(),
      last_modified: since,
    }

  if (changed && changed.length <= syncLimits.maxIncremental) {
    const done = await incrementalImport(source, ecosystem, changed)
    await markAdvisoriesSynced(ecosystem, { source: source.name, lastModified: newest })
    return {
      ecosystem,
      mode: 'incremental',
      changed: changed.length,
      ...done,
      records: await counts(),
      last_modified: newest,
    }
  }

  const done = await fullImport(source, ecosystem, newest)
  return {
    ecosystem,
    mode: 'full',
    changed: done.read,
    imported: done.imported,
    updated: done.updated,
    unchanged: done.unchanged,
    skipped: done.skipped,
    records: await counts(),
    last_modified: newest ?? done.newest.get(ecosystem) ?? null,
  }
}

/**
 * Syncs each ecosystem from the export at `from` (a base URL or a folder). An ecosystem that fails is
 * reported and left as it was; the others go on.
 */
export async function syncAdvisories(options: {
  from: string
  ecosystems?: readonly Ecosystem[]
  onProgress?: (line: string) => void
  /**
   * No ecosystem is started after this instant (epoch ms): a Lambda stops at its timeout, and a first
   * import of every ecosystem can take longer than one run. What is left waits for the next run.
   */
  startBefore?: number
}): Promise<{ synced: EcosystemSync[]; failed: SyncFailure[]; deferred: Ecosystem[] }> {
  const source = exportAt(options.from)
  const synced: EcosystemSync[] = []
  const failed: SyncFailure[] = []
  const deferred: Ecosystem[] = []
  for (const ecosystem of await leastRecentFirst(options.ecosystems ?? ecosystems)) {
    if (options.startBefore !== undefined && Date.now() >= options.startBefore) {
      deferred.push(ecosystem)
      continue
    }
    try {
      const done = await syncEcosystem(source, ecosystem)
      synced.push(done)
      options.onProgress?.(
        `${ecosystem}: ${done.mode.replaceAll('_', ' ')}` +
          (done.mode === 'up_to_date'
            ? ` (${done.records} advisories, newest ${done.last_modified})`
            : `: ${done.changed} read, ${done.imported} new, ${done.updated} updated, ${done.unchanged} unchanged, ` +
              `${done.skipped} skipped; ${done.records} advisories stored`),
      )
    } catch (error) {
      const message = (error instanceof Error ? error.message : String(error)).slice(0, 300)
      failed.push({ ecosystem, error: message })
      options.onProgress?.(`${ecosystem}: failed: ${message}`)
    }
  }
  if (deferred.length > 0) options.onProgress?.(`left for the next run (out of time): ${deferred.join(', ')}`)
  return { synced, failed, deferred }
}

/**
 * Never synced first, then the longest ago: a run cut short by its time limit leaves the ecosystems it
 * already did for last next time, so every ecosystem gets its turn. (A whole ecosystem cut short is
 * resumed too: what it stored is unchanged next time and costs a read, not a write.)
 */
async function leastRecentFirst(wanted: readonly Ecosystem[]): Promise<Ecosystem[]> {
  const syncedAt = new Map((await advisoryData()).map((entry) => [entry.ecosystem, entry.synced_at ?? '']))
  return [...wanted].sort((a, b) => (syncedAt.get(a) ?? '').localeCompare(syncedAt.get(b) ?? ''))
}
