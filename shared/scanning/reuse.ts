// Incremental scanning: what an engine already read and found nothing in. A blob an engine version found
// clean at a path is clean there for good, so the next scan of the same repository skips it. For the
// secrets engine only clean results are kept: a blob with findings is read again, so no secret value is
// ever stored. The code engine's findings per blob and path are kept too (`KnownFindings`): they hold
// code the findings table holds anyway, and re-parsing every file with findings was most of a re-push's
// code time. The memory is a list of 16-byte keys (SHA-256 of engine version, blob and path, cut short),
// most recently used first, so the worker keeps one object per repository.
import { createHash } from 'node:crypto'
import { gunzipSync, gzipSync } from 'node:zlib'
import { type EngineVersions, type EngineWithMemory, engineVersions } from './engine-versions.js'
import { ruleFamilyOf } from './engines/code/families.js'

export interface ReuseFigures {
  scanned_blobs: number
  scanned_bytes: number
  reused_blobs: number
  reused_bytes: number
}

const keyBytes = 16
/** 2 million keys: 32 MB, a repository of a few hundred thousand files over a few engine versions. */
export const maxRemembered = 2_000_000

export class CleanBlobs {
  /** The code engine's findings per blob and path, saved beside the clean keys. */
  findings = new KnownFindings()
  private readonly known = new Set<string>()
  /** Keys this scan reused or learnt: saved first, so what a repository still holds outlives the rest. */
  private readonly current = new Set<string>()
  private readonly older: string[] = []
  readonly figures: Partial<Record<EngineWithMemory, ReuseFigures>> = {}

  /** From a saved memory (absent: a repository's first scan); a malformed tail is ignored. */
  constructor(
    saved?: Uint8Array,
    private readonly versions: EngineVersions = engineVersions,
  ) {
    if (!saved) return
    for (let at = 0; at + keyBytes <= saved.length; at += keyBytes) {
      const key = Buffer.from(saved.subarray(at, at + keyBytes)).toString('latin1')
      if (!this.known.has(key)) this.older.push(key)
      this.known.add(key)
    }
  }

  /** True when this engine's version found this blob clean at this path before: skip it. */
  reuse(engine: EngineWithMemory, oid: string, path: string, bytes: number): boolean {
    const key = this.keyOf(engine, oid, path)
    if (!this.known.has(key)) return false
    this.current.add(key)
    const figures = this.figuresOf(engine)
    figures.reused_blobs++
    figures.reused_bytes += bytes
    return true
  }

  /**
   * The code engine's findings in this blob at this path, when this version found them before (counted
   * as reused); undefined when the blob must be read.
   */
  reuseFindings<Finding>(oid: string, path: string, bytes: number): Finding[] | undefined {
    const found = this.findings.recall(this.keyOf('code', oid, path)) as Finding[] | undefined
    if (!found) return undefined
    const figures = this.figuresOf('code')
    figures.reused_blobs++
    figures.reused_bytes += bytes
    return found
  }

  /** Keeps the code engine's findings in a blob it read whole at this path. */
  rememberFindings(oid: string, path: string, found: readonly object[]): void {
    this.findings.remember(this.keyOf('code', oid, path), found)
  }

  /** Whether the engine will skip this blob (clean, or its findings known), counting nothing. */
  knows(engine: EngineWithMemory, oid: string, path: string): boolean {
    const key = this.keyOf(engine, oid, path)
    return this.known.has(key) || (engine === 'code' && this.findings.has(key))
  }

  /** Counts a blob the engine read. */
  scanned(engine: EngineWithMemory, bytes: number): void {
    const figures = this.figuresOf(engine)
    figures.scanned_blobs++
    figures.scanned_bytes += bytes
  }

  /** Remembers a blob the engine read whole at this path and found nothing in. */
  remember(engine: EngineWithMemory, oid: string, path: string): void {
    this.current.add(this.keyOf(engine, oid, path))
  }

  /** What this scan reused or learnt, as data: a shard hands it to the worker that merges the shards. */
  learnt(): LearntBlobs {
    return {
      keys: Buffer.from([...this.current].join(''), 'latin1').toString('base64'),
      findings: this.findings.learnt(),
      figures: this.figures,
    }
  }

  /** Adds what another shard of the same scan reused or learnt, and its figures. */
  absorb(learnt: LearntBlobs): void {
    const keys = Buffer.from(learnt.keys, 'base64')
    for (let at = 0; at + keyBytes <= keys.length; at += keyBytes)
      this.current.add(keys.subarray(at, at + keyBytes).toString('latin1'))
    this.findings.absorb(learnt.findings)
    for (const [engine, theirs] of Object.entries(learnt.figures) as [EngineWithMemory, ReuseFigures][]) {
      const ours = this.figuresOf(engine)
      ours.scanned_blobs += theirs.scanned_blobs
      ours.scanned_bytes += theirs.scanned_bytes
      ours.reused_blobs += theirs.reused_blobs
      ours.reused_bytes += theirs.reused_bytes
    }
  }

  /** The memory to keep: this scan's keys, then the older ones, to `max` keys. */
  serialize(max = maxRemembered): Buffer {
    const keys: string[] = [...this.current]
    for (const key of this.older) {
      if (keys.length >= max) break
      if (!this.current.has(key)) keys.push(key)
    }
    return Buffer.from(keys.slice(0, max).join(''), 'latin1')
  }

  /** The code engine's verdict on a file is its rule family's: keyed by that family's version. */
  private keyOf(engine: EngineWithMemory, oid: string, path: string): string {
    const family = engine === 'code' ? ruleFamilyOf(path) : undefined
    const version =
      engine === 'secrets' ? this.versions.secrets : family ? `${family}\0${this.versions.code[family]}` : 'no rules'
    return createHash('sha256')
      .update(`${engine}\0${version}\0${oid}\0${path}`)
      .digest()
      .subarray(0, keyBytes)
      .toString('latin1')
  }

  private figuresOf(engine: EngineWithMemory): ReuseFigures {
    this.figures[engine] ??= { scanned_blobs: 0, scanned_bytes: 0, reused_blobs: 0, reused_bytes: 0 }
    return this.figures[engine]
  }
}

/** A memory's share of one scan, as JSON: keys in base64, the code engine's findings, the figures. */
export interface LearntBlobs {
  keys: string
  findings: [string, readonly object[]][]
  figures: Partial<Record<EngineWithMemory, ReuseFigures>>
}

/** Kept findings at most: a repository with more keeps the most recently seen. */
export const maxKnownFindings = 200_000

/**
 * Findings per memory key, saved as gzipped JSON (keys in base64), most recently used first. What a
 * finding is, is the engine's business (shared/scanning/engine.ts): this only keeps JSON.
 */
export class KnownFindings {
  private readonly known = new Map<string, readonly object[]>()
  private readonly current = new Map<string, readonly object[]>()

  /** From a saved memory; anything unreadable is an empty memory (the engine reads those files again). */
  constructor(saved?: Uint8Array) {
    if (!saved) return
    try {
      const entries = JSON.parse(gunzipSync(saved).toString('utf8')) as [string, object[]][]
      for (const [key, found] of entries) this.known.set(Buffer.from(key, 'base64').toString('latin1'), found)
    } catch {
      this.known.clear()
    }
  }

  has(key: string): boolean {
    return this.known.has(key)
  }

  recall(key: string): readonly object[] | undefined {
    const found = this.known.get(key)
    if (found) this.current.set(key, found)
    // Copies, both ways: what the scan does with its findings never changes what is kept.
    return found && structuredClone(found)
  }

  remember(key: string, found: readonly object[]): void {
    this.current.set(key, structuredClone(found))
  }

  /** This scan's entries (keys in base64). */
  learnt(): [string, readonly object[]][] {
    return [...this.current].map(([key, found]) => [Buffer.from(key, 'latin1').toString('base64'), found])
  }

  absorb(entries: [string, readonly object[]][]): void {
    for (const [key, found] of entries) this.current.set(Buffer.from(key, 'base64').toString('latin1'), found)
  }

  /** This scan's entries, then older ones, to `max` findings in all. */
  serialize(max = maxKnownFindings): Buffer {
    const entries: [string, readonly object[]][] = []
    let count = 0
    const add = (key: string, found: readonly object[]) => {
      if (count + found.length > max) return
      entries.push([Buffer.from(key, 'latin1').toString('base64'), found])
      count += found.length
    }
    for (const [key, found] of this.current) add(key, found)
    for (const [key, found] of this.known) if (!this.current.has(key)) add(key, found)
    return gzipSync(JSON.stringify(entries))
  }
}
