// Unpacks a legacy session's .tar.gz or .zip into a fresh folder, treating every byte as hostile: no
// path leaves the folder, nothing is written through a link, and the inflated size, the entry count
// and the compression ratio are bounded while inflating, not after.
import { createWriteStream, mkdirSync } from 'node:fs'
import { dirname, resolve, sep } from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import tarStream from 'tar-stream'
import yauzl, { type Entry, type ZipFile } from 'yauzl'
import { InputError } from '../errors.js'

import type { ArchiveFormat } from './archive-formats.js'

export { type ArchiveFormat, archiveFormats, looksLike } from './archive-formats.js'

export interface ArchiveLimits {
  maxInflatedBytes: number
  maxEntries: number
  /** Inflated bytes per compressed byte, over the whole archive and per zip entry. */
  maxRatio: number
  deadline: number
}

export interface ArchiveStats {
  files: number
  bytes: number
  /** Recorded, never created: a link in an archive could point anywhere. */
  symlinks: { path: string; target: string }[]
  /** Entries left out on purpose: `.git/` folders, devices, fifos, hard links, encrypted zip entries. */
  skipped: number
}

/** A file where a folder is (or the reverse), a name too long: the archive's fault, not the disk's. */
const archiveFault = (error: unknown) =>
  /^E(ISDIR|NOTDIR|EXIST|NAMETOOLONG)$/.test((error as NodeJS.ErrnoException).code ?? '')

/** Below this many inflated bytes a high ratio is just a small, repetitive file. */
const ratioFloorBytes = 1024 * 1024

/**
 * The entry's path relative to the folder, undefined for what is skipped (the root itself, `.git/`),
 * or unsafe_path: absolute, drive-lettered, backslashed, NUL or `..` names never reach the disk.
 */
export function safePath(name: string): string | undefined {
  const unsafe = () =>
    new InputError('unsafe_path', `archive entry ${JSON.stringify(name.slice(0, 200))} is not a safe path`)
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.includes('\\') || name.includes('\0')) throw unsafe()
  const parts = name.split('/').filter((part) => part !== '' && part !== '.')
  if (parts.includes('..')) throw unsafe()
  if (parts.length === 0 || parts.some((part) => part.toLowerCase() === '.git')) return undefined
  return parts.join('/')
}

export async function extractArchive(
  bytes: Buffer,
  format: ArchiveFormat,
  dir: string,
  limits: ArchiveLimits,
): Promise<ArchiveStats> {
  const target = new Target(dir, bytes.length, limits)
  if (format === 'tar.gz') await extractTarGz(bytes, target)
  else await extractZip(bytes, target)
  return target.stats
}

/** The folder being filled, and the budget every entry draws on. */
class Target {
  readonly stats: ArchiveStats = { files: 0, bytes: 0, symlinks: [], skipped: 0 }
  private entries = 0
  private inflated = 0
  private readonly root: string

  constructor(
    dir: string,
    private readonly compressedBytes: number,
    private readonly limits: ArchiveLimits,
  ) {
    this.root = resolve(dir)
  }

  /** Counts an entry against the limits and the clock. */
  enter(): void {
    if (++this.entries > this.limits.maxEntries)
      throw new InputError('too_large', `the archive has over ${this.limits.maxEntries} entries`)
    if (Date.now() > this.limits.deadline) throw new InputError('time_budget', 'unpacking ran past the time budget')
  }

  /** Counts inflated bytes as they come out of the decompressor. */
  inflate(length: number): void {
    this.inflated += length
    if (this.inflated > this.limits.maxInflatedBytes)
      throw new InputError('too_large', `the archive inflates past ${this.limits.maxInflatedBytes} bytes`)
    if (this.inflated > ratioFloorBytes && this.inflated > this.limits.maxRatio * this.compressedBytes)
      throw new InputError(
        'archive_bomb',
        `the archive inflates over ${this.limits.maxRatio}× its ${this.compressedBytes} bytes: refused as a decompression bomb`,
      )
  }

  /** A zip states its sizes up front: a bomb is refused before a byte is inflated. */
  declare(uncompressed: number, compressed: number): void {
    if (uncompressed > ratioFloorBytes && uncompressed > this.limits.maxRatio * Math.max(compressed, 1))
      throw new InputError(
        'archive_bomb',
        `an entry inflates ${uncompressed} bytes from ${compressed}: refused as a decompression bomb`,
      )
    if (this.inflated + uncompressed > this.limits.maxInflatedBytes)
      throw new InputError('too_large', `the archive inflates past ${this.limits.maxInflatedBytes} bytes`)
  }

  private absolute(path: string): string {
    const absolute = resolve(this.root, path)
    // safePath already refused `..`; this keeps the promise should that ever change.
    if (!absolute.startsWith(this.root + sep)) throw new InputError('unsafe_path', `${path} leaves the folder`)
    return absolute
  }

  folder(path: string): void {
    this.onDisk(path, () => mkdirSync(this.absolute(path), { recursive: true }))
  }

  /** Writes one file; `inflating` when its bytes come straight out of a decompressor not yet counted. */
  async file(path: string, content: AsyncIterable<unknown>, inflating: boolean): Promise<void> {
    const absolute = this.absolute(path)
    this.onDisk(path, () => mkdirSync(dirname(absolute), { recursive: true }))
    const count = new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        try {
          if (inflating) this.inflate(chunk.length)
          this.stats.bytes += chunk.length
          done(null, chunk)
        } catch (error) {
          done(error as Error)
        }
      },
    })
    try {
      await pipeline(content, count, createWriteStream(absolute, { mode: 0o644 }))
    } catch (error) {
      if (error instanceof InputError) throw error
      const code = (error as NodeJS.ErrnoException).code
      if (archiveFault(error))
        throw new InputError('unsafe_path', `cannot write ${JSON.stringify(path.slice(0, 200))}: ${code}`)
      throw error
    }
    this.stats.files++
  }

  private onDisk(path: string, write: () => void): void {
    try {
      write()
    } catch (error) {
      if (!archiveFault(error)) throw error
      const code = (error as NodeJS.ErrnoException).code
      throw new InputError('unsafe_path', `cannot create ${JSON.stringify(path.slice(0, 200))}: ${code}`)
    }
  }
}

/**
 * tar-stream, yauzl and zlib say "broken" in their own words; the scan says bad_archive. A system error
 * (a full disk) is ours, not the archive's, and stays a fault for the queue to retry.
 */
function asInputError(error: unknown): unknown {
  if (error instanceof InputError) return error
  const code = (error as NodeJS.ErrnoException).code
  if (code && /^E[A-Z]+$/.test(code)) return error
  const message = error instanceof Error ? error.message : String(error)
  return new InputError('bad_archive', `the archive is not readable: ${message.slice(0, 200)}`)
}

async function extractTarGz(bytes: Buffer, target: Target): Promise<void> {
  const extract = tarStream.extract()
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      try {
        // Counted as it leaves gunzip: a bomb of padding or of one endless entry is stopped alike.
        target.inflate(chunk.length)
        done(null, chunk)
      } catch (error) {
        done(error as Error)
      }
    },
  })
  const feeding = pipeline(Readable.from([bytes]), createGunzip(), counter, extract)
  let failure: unknown
  const fed = feeding.catch((error) => {
    failure ??= error
  })
  try {
    for await (const entry of extract) {
      target.enter()
      const { name, type, linkname } = entry.header
      const path = safePath(name)
      if (path === undefined) {
        target.stats.skipped++
        entry.resume()
      } else if (type === 'file' || type === 'contiguous-file') {
        await target.file(path, entry, false)
      } else if (type === 'directory') {
        target.folder(path)
        entry.resume()
      } else if (type === 'symlink') {
        target.stats.symlinks.push({ path, target: linkname ?? '' })
        entry.resume()
      } else {
        target.stats.skipped++
        entry.resume()
      }
    }
  } catch (error) {
    failure ??= error
    extract.destroy()
  }
  await fed
  if (failure) throw asInputError(failure)
}

const openZip = (bytes: Buffer) =>
  new Promise<ZipFile>((done, fail) =>
    yauzl.fromBuffer(
      bytes,
      { lazyEntries: true, validateEntrySizes: true, decodeStrings: true, strictFileNames: false },
      (error, zip) => (error ? fail(error) : done(zip)),
    ),
  )

const openEntry = (zip: ZipFile, entry: Entry) =>
  new Promise<Readable>((done, fail) =>
    zip.openReadStream(entry, (error, stream) => (error ? fail(error) : done(stream))),
  )

const unixMode = (entry: Entry) => (entry.externalFileAttributes >>> 16) & 0o170000

async function extractZip(bytes: Buffer, target: Target): Promise<void> {
  let zip: ZipFile
  try {
    zip = await openZip(bytes)
  } catch (error) {
    throw asInputError(error)
  }
  try {
    await new Promise<void>((done, fail) => {
      zip.on('error', fail)
      zip.on('end', done)
      zip.on('entry', (entry: Entry) => {
        placeZipEntry(zip, entry, target).then(() => zip.readEntry(), fail)
      })
      zip.readEntry()
    })
  } catch (error) {
    // yauzl's own name checks speak of paths; they are ours too.
    if (error instanceof Error && /absolute path|invalid relative path|invalid characters/.test(error.message))
      throw new InputError('unsafe_path', `archive entry refused: ${error.message.slice(0, 200)}`)
    throw asInputError(error)
  } finally {
    zip.close()
  }
}

async function placeZipEntry(zip: ZipFile, entry: Entry, target: Target): Promise<void> {
  target.enter()
  const path = safePath(entry.fileName)
  if (path === undefined) return void target.stats.skipped++
  if (entry.fileName.endsWith('/')) return target.folder(path)
  if (entry.isEncrypted()) return void target.stats.skipped++
  const mode = unixMode(entry)
  if (mode === 0o120000) {
    const link = entry.uncompressedSize <= 4096 ? await readAll(await openEntry(zip, entry)) : ''
    target.stats.symlinks.push({ path, target: link })
    return
  }
  if (mode !== 0 && mode !== 0o100000) return void target.stats.skipped++
  target.declare(entry.uncompressedSize, entry.compressedSize)
  await target.file(path, await openEntry(zip, entry), true)
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
