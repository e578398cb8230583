// Reads OSV records from what OSV publishes: a JSON file (one record, an array, or a {vulns: [...]} answer),
// a folder of them, an ecosystem's all.zip, or a database kept as OSV YAML (PyPA's advisory-database) in a
// folder or a .tar.gz. Archives are untrusted input: entry count and sizes are capped.
import { createReadStream } from 'node:fs'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import tarStream from 'tar-stream'
import { parse as parseYaml } from 'yaml'
import yauzl from 'yauzl'
import { OsvRecord, osvRecordMaxBytes } from './osv.js'

export const osvFileLimits = {
  maxRecordBytes: osvRecordMaxBytes,
  /** npm's all.zip holds a few hundred thousand records (most are MAL- malware reports). */
  maxZipEntries: 2_000_000,
  maxZipBytes: 8 * 1024 * 1024 * 1024,
  /** A single JSON file given directly may hold an array of records. */
  maxJsonFileBytes: 256 * 1024 * 1024,
}

export type OsvFileItem = { source: string; text: string } | { source: string; note: string }

/** A record file by its name: OSV's JSON, or the YAML some databases keep their records in. */
const isRecordFile = (name: string) => /\.(json|ya?ml)$/i.test(name)

/** The raw records of one file's text, parsed as its name says (YAML: one record per file). */
export function recordsOf(item: { source: string; text: string }): unknown[] {
  if (/\.ya?ml$/i.test(item.source)) return [parseYaml(item.text, { maxAliasCount: 0 })]
  return recordsOfJson(item.text)
}

/** The raw records of one JSON text: a record, an array of them, or an OSV API answer `{vulns: [...]}`. */
export function recordsOfJson(text: string): unknown[] {
  const value = JSON.parse(text) as unknown
  if (Array.isArray(value)) return value
  if (value && typeof value === 'object' && Array.isArray((value as { vulns?: unknown }).vulns))
    return (value as { vulns: unknown[] }).vulns
  return [value]
}

async function* readFolder(dir: string): AsyncGenerator<OsvFileItem> {
  const entries = await readdir(dir, { withFileTypes: true })
  entries.sort((a, b) => a.name.localeCompare(b.name))
  for (const entry of entries) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) yield* readFolder(path)
    else if (entry.isFile() && isRecordFile(entry.name)) yield* readJsonFile(path)
    else if (entry.isFile() && entry.name.endsWith('.zip')) yield* readZip(path)
    else if (entry.isFile() && isTarball(entry.name)) yield* readTarball(path)
  }
}

async function* readJsonFile(path: string): AsyncGenerator<OsvFileItem> {
  const { size } = await stat(path)
  if (size > osvFileLimits.maxJsonFileBytes) yield { source: path, note: `${size} bytes is over the limit; skipped` }
  else yield { source: path, text: await readFile(path, 'utf8') }
}

/** The zip's next entry, or undefined at its end. */
function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | undefined> {
  return new Promise((resolve, reject) => {
    const settle = (outcome: () => void) => {
      zip.removeListener('entry', onEntry).removeListener('end', onEnd).removeListener('error', onError)
      outcome()
    }
    const onEntry = (entry: yauzl.Entry) => settle(() => resolve(entry))
    const onEnd = () => settle(() => resolve(undefined))
    const onError = (error: Error) => settle(() => reject(error))
    zip.on('entry', onEntry).on('end', onEnd).on('error', onError)
    zip.readEntry()
  })
}

/** Streams a zip's .json entries one at a time (yauzl with lazy entries), so memory holds one record. */
async function* readZip(path: string): AsyncGenerator<OsvFileItem> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, validateEntrySizes: true }, (error, file) =>
      error ? reject(error) : resolve(file),
    ),
  )
  if (zip.entryCount > osvFileLimits.maxZipEntries) {
    zip.close()
    throw new Error(`${path}: ${zip.entryCount} entries is over the limit of ${osvFileLimits.maxZipEntries}`)
  }
  let total = 0
  try {
    while (true) {
      const entry = await nextEntry(zip)
      if (!entry) return
      const source = `${path}:${entry.fileName}`
      if (entry.fileName.endsWith('/') || !isRecordFile(entry.fileName)) continue
      if (entry.uncompressedSize > osvFileLimits.maxRecordBytes) {
        yield {
          source,
          note: `${entry.uncompressedSize} bytes is over the ${osvFileLimits.maxRecordBytes}-byte record limit; skipped`,
        }
        continue
      }
      total += entry.uncompressedSize
      if (total > osvFileLimits.maxZipBytes)
        throw new Error(`${path}: more than ${osvFileLimits.maxZipBytes} bytes unpacked`)
      const text = await new Promise<string>((resolve, reject) =>
        zip.openReadStream(entry, (error, stream) => {
          if (error) return reject(error)
          const chunks: Buffer[] = []
          stream.on('data', (chunk: Buffer) => chunks.push(chunk))
          stream.on('error', reject)
          stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
        }),
      )
      yield { source, text }
    }
  } finally {
    zip.close()
  }
}

const isTarball = (name: string) => /\.(tgz|tar\.gz)$/i.test(name)

/**
 * Streams a gzipped tarball's record files one at a time. Entries are bounded like a zip's: their count,
 * each record's size and the unpacked total; links and other entry types are skipped.
 */
async function* readTarball(path: string): AsyncGenerator<OsvFileItem> {
  const extract = tarStream.extract()
  const reading = pipeline(createReadStream(path), createGunzip(), extract)
  let entries = 0
  let total = 0
  try {
    for await (const entry of extract) {
      const { name, size = 0, type } = entry.header
      const source = `${path}:${name}`
      if (++entries > osvFileLimits.maxZipEntries)
        throw new Error(`${path}: more than ${osvFileLimits.maxZipEntries} entries`)
      if (type !== 'file' || !isRecordFile(name) || size > osvFileLimits.maxRecordBytes) {
        entry.resume()
        if (type === 'file' && isRecordFile(name))
          yield { source, note: `${size} bytes is over the ${osvFileLimits.maxRecordBytes}-byte record limit; skipped` }
        continue
      }
      total += size
      if (total > osvFileLimits.maxZipBytes)
        throw new Error(`${path}: more than ${osvFileLimits.maxZipBytes} bytes unpacked`)
      const chunks: Buffer[] = []
      for await (const chunk of entry) chunks.push(chunk as Buffer)
      yield { source, text: Buffer.concat(chunks).toString('utf8') }
    }
    await reading
  } finally {
    extract.destroy()
    await reading.catch(() => undefined)
  }
}

/** Every record text under a path: a .zip, a .tar.gz, a record file, or a folder (searched recursively). */
export async function* readOsvFiles(path: string): AsyncGenerator<OsvFileItem> {
  const info = await stat(path)
  if (info.isDirectory()) yield* readFolder(path)
  else if (path.endsWith('.zip')) yield* readZip(path)
  else if (isTarball(path)) yield* readTarball(path)
  else yield* readJsonFile(path)
}

/**
 * Every valid OSV record under a path, parsed, for an in-memory source (the local scan command, tests).
 * Invalid records and unreadable files are skipped; `onSkip` hears why.
 */
export async function loadOsvRecords(path: string, onSkip?: (why: string) => void): Promise<OsvRecord[]> {
  const records: OsvRecord[] = []
  for await (const item of readOsvFiles(path)) {
    if ('note' in item) {
      onSkip?.(`${item.source}: ${item.note}`)
      continue
    }
    try {
      for (const raw of recordsOf(item)) {
        const parsed = OsvRecord.safeParse(raw)
        if (parsed.success) records.push(parsed.data)
        else onSkip?.(`${item.source}: not an OSV record`)
      }
    } catch {
      onSkip?.(`${item.source}: not JSON or YAML`)
    }
  }
  return records
}
