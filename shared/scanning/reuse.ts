// Incremental scanning: what an engine already read and found nothing in. A blob an engine version found
// clean at a path is clean there for good, so the next scan of the same repository skips it. Only clean
// results are kept: a blob with findings is read again, so findings are rebuilt whole every scan and no
// secret value is ever stored. The memory is a list of 16-byte keys (SHA-256 of engine version, blob and
// path, cut short), most recently used first, so the worker keeps one object per repository.
import { createHash } from 'node:crypto'
import { type EngineWithMemory, engineVersions } from './engine-versions.js'

type Versions = Record<EngineWithMemory, string>

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
  private readonly known = new Set<string>()
  /** Keys this scan reused or learnt: saved first, so what a repository still holds outlives the rest. */
  private readonly current = new Set<string>()
  private readonly older: string[] = []
  readonly figures: Partial<Record<EngineWithMemory, ReuseFigures>> = {}

  /** From a saved memory (absent: a repository's first scan); a malformed tail is ignored. */
  constructor(
    saved?: Uint8Array,
    private readonly versions: Versions = engineVersions,
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

  /** The same answer as `reuse`, counting nothing: for deciding ahead what the engine will read. */
  knows(engine: EngineWithMemory, oid: string, path: string): boolean {
    return this.known.has(this.keyOf(engine, oid, path))
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

  /** The memory to keep: this scan's keys, then the older ones, to `max` keys. */
  serialize(max = maxRemembered): Buffer {
    const keys: string[] = [...this.current]
    for (const key of this.older) {
      if (keys.length >= max) break
      if (!this.current.has(key)) keys.push(key)
    }
    return Buffer.from(keys.slice(0, max).join(''), 'latin1')
  }

  private keyOf(engine: EngineWithMemory, oid: string, path: string): string {
    return createHash('sha256')
      .update(`${engine}\0${this.versions[engine]}\0${oid}\0${path}`)
      .digest()
      .subarray(0, keyBytes)
      .toString('latin1')
  }

  private figuresOf(engine: EngineWithMemory): ReuseFigures {
    this.figures[engine] ??= { scanned_blobs: 0, scanned_bytes: 0, reused_blobs: 0, reused_bytes: 0 }
    return this.figures[engine]
  }
}
