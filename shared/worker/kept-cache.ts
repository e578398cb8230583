// A warm worker's copies of the packs repositories keep (shared/worker/kept.ts), so the next push of a
// repository it scanned joins its thin pack with a file already on disk instead of downloading the kept
// pack again (about a second for 100 MB). Lambda keeps /tmp and a module's state between the invocations of
// one execution environment; a cold one starts empty and downloads as before. A copy is used only while
// the bucket holds the very object it copies (the same ETag, asked with one HEAD request), so a pack the
// bucket lost is treated exactly as before: forgotten, and the next push sent whole.
import { createHash } from 'node:crypto'
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { threadFolder } from './thread-folder.js'

/**
 * A quarter of the worker's /tmp (4 GiB, infra/aws/constructs/worker.ts): the rest stays for the scan
 * itself (its input, for a thin push the joined pack, the files the code engine parses).
 */
export const keptCacheBytes = 1024 ** 3

interface Entry {
  etag: string
  /** The repository: its newer pack replaces its older one. */
  group: string
  pack: string
  index?: string
  /** The key of the saved index copied (the pack's, or a chain's built on it: StoredObjects `parts`). */
  indexKey?: string
  indexBytes: number
  /** The pack's and its index's. */
  bytes: number
  /** When it was kept, in the order of `keep` calls. */
  kept: number
}

/** Where each thread keeps its copies, a folder of its own (thread-folder.ts). */
export const keptCacheRoot = join(tmpdir(), 'vega-kept')

export class KeptCache {
  /** In the order used, least recently first. */
  readonly #entries = new Map<string, Entry>()
  #dir?: string
  #bytes = 0
  #kept = 0

  constructor(
    readonly maxBytes = keptCacheBytes,
    private readonly root = keptCacheRoot,
  ) {}

  /** Bytes held (packs and their indexes). */
  get bytes(): number {
    return this.#bytes
  }

  /** The ETag of the object under `key` this worker holds a copy of, if it holds one. */
  etagOf(key: string): string | undefined {
    return this.#entries.get(key)?.etag
  }

  /**
   * The copy of the object under `key`, when it copies the object with this ETag: the pack's path, and the
   * saved index under `indexKey` if that is the one held. Open the pack before the next `keep` (which may
   * evict it); once open, its file is readable whatever happens to the copy.
   */
  held(key: string, etag: string, indexKey?: string): { pack: string; index?: Buffer } | undefined {
    const entry = this.#entries.get(key)
    if (!entry || entry.etag !== etag) return undefined
    this.#entries.delete(key)
    this.#entries.set(key, entry)
    try {
      const index = entry.index && entry.indexKey === indexKey ? readFileSync(entry.index) : undefined
      return { pack: entry.pack, index }
    } catch {
      // Removed behind the cache's back: a copy it no longer holds.
      this.#drop(key)
      return undefined
    }
  }

  /**
   * Takes `file` (moved, not copied: it must be on the same disk, as the scan's scratch folder is) as the
   * copy of the object under `key`, then evicts the least recently used copies past the budget. A group
   * keeps its two newest copies: a push made while the scan before it was still keeping its pack builds
   * on the one before. A pack larger than the whole budget is left where it is.
   */
  keep(copy: { key: string; etag: string; group: string; file: string; index?: Buffer; indexKey?: string }): void {
    const dir = this.#ready()
    this.#drop(copy.key)
    const group = [...this.#entries].filter(([, entry]) => entry.group === copy.group)
    for (const [key] of group.sort(([, a], [, b]) => a.kept - b.kept).slice(0, -1)) this.#drop(key)
    const bytes = statSync(copy.file).size + (copy.index?.length ?? 0)
    if (bytes > this.maxBytes) return
    const name = createHash('sha256').update(copy.key).digest('hex').slice(0, 32)
    const entry: Entry = {
      etag: copy.etag,
      group: copy.group,
      pack: join(dir, `${name}.pack`),
      indexKey: copy.indexKey,
      indexBytes: copy.index?.length ?? 0,
      bytes,
      kept: ++this.#kept,
    }
    renameSync(copy.file, entry.pack)
    if (copy.index) {
      entry.index = join(dir, `${name}.idx`)
      try {
        writeFileSync(entry.index, copy.index)
      } catch (error) {
        rmSync(entry.pack, { force: true })
        rmSync(entry.index, { force: true })
        throw error
      }
    }
    this.#entries.set(copy.key, entry)
    this.#bytes += bytes
    for (const key of this.#entries.keys()) {
      if (this.#bytes <= this.maxBytes) break
      this.#drop(key)
    }
  }

  /**
   * The saved index under `indexKey` becomes the one held with the copy of `key` (a thin pack joined to it,
   * kept as a part): the pack stays. Nothing happens when `key` is not held.
   */
  keepIndex(key: string, indexKey: string, index: Buffer): void {
    const entry = this.#entries.get(key)
    if (!entry) return
    const file = entry.index ?? entry.pack.replace(/\.pack$/, '.idx')
    try {
      writeFileSync(file, index)
    } catch (error) {
      this.#drop(key)
      throw error
    }
    const grown = index.length - entry.indexBytes
    Object.assign(entry, {
      index: file,
      indexKey,
      indexBytes: index.length,
      bytes: entry.bytes + grown,
      kept: ++this.#kept,
    })
    this.#bytes += grown
    this.#entries.delete(key)
    this.#entries.set(key, entry)
    for (const other of [...this.#entries.keys()]) {
      if (this.#bytes <= this.maxBytes) break
      if (other !== key) this.#drop(other)
    }
  }

  /** Forgets one copy (a pack found unreadable). */
  forget(key: string): void {
    this.#drop(key)
  }

  /** Every copy removed. */
  clear(): void {
    for (const key of [...this.#entries.keys()]) this.#drop(key)
  }

  #drop(key: string): void {
    const entry = this.#entries.get(key)
    if (!entry) return
    this.#entries.delete(key)
    this.#bytes -= entry.bytes
    rmSync(entry.pack, { force: true })
    if (entry.index) rmSync(entry.index, { force: true })
  }

  /** This thread's folder, made at first use (thread-folder.ts). */
  #ready(): string {
    this.#dir ??= threadFolder(this.root)
    return this.#dir
  }
}

/** The worker's copies, for its lifetime. */
export const keptCache = new KeptCache()
