// A git packfile reader on Node's zlib and crypto (research/git-push.md §2): the worker gets a whole, non-thin
// pack, so every object must resolve inside it. Format: git Documentation/gitformat-pack.txt. The pack is
// a Buffer or a file read a range at a time (pack-bytes.ts): memory holds the index, never the pack.
import { createHash } from 'node:crypto'
import { inflateSync } from 'node:zlib'
import { checkDeadline, GitError, noDeadline, type TimeBudget } from './errors.js'
import { ForwardReader, JoinedPack, type PackBytes, sha1Of } from './pack-bytes.js'

export type ObjectType = 'commit' | 'tree' | 'blob' | 'tag'

export interface PackLimits extends TimeBudget {
  maxObjects: number
  /** Sum of every object's inflated size: the defence against delta and zlib bombs. */
  maxTotalBytes: number
  maxObjectBytes: number
  /** Resolved objects kept for reads, so a long delta chain is not replayed for every sibling. */
  cacheBytes: number
}

export const defaultPackLimits = (): PackLimits => ({
  maxObjects: 2_000_000,
  maxTotalBytes: 2 * 1024 ** 3,
  maxObjectBytes: 512 * 1024 ** 2,
  deadline: noDeadline,
  cacheBytes: 64 * 1024 ** 2,
})

export interface PackObject {
  type: ObjectType
  offset: number
  size: number
}

const typeNames = ['', 'commit', 'tree', 'blob', 'tag'] as const
const OFS_DELTA = 6
const REF_DELTA = 7

export function verifyPackHeader(pack: PackBytes): { version: number; objectCount: number } {
  if (pack.length < 32) throw new GitError('corrupt_pack', `pack is ${pack.length} bytes, shorter than any valid pack`)
  const header = pack.subarray(0, 12)
  if (header.toString('latin1', 0, 4) !== 'PACK') throw new GitError('bad_signature', 'data does not start with PACK')
  const version = header.readUInt32BE(4)
  if (version !== 2 && version !== 3) throw new GitError('bad_version', `pack version ${version} is not 2 or 3`)
  return { version, objectCount: header.readUInt32BE(8) }
}

export function verifyPackChecksum(pack: PackBytes): void {
  if (pack.length < 32) throw new GitError('corrupt_pack', `pack is ${pack.length} bytes, shorter than any valid pack`)
  const end = pack.length - 20
  if (!sha1Of(pack, 0, end).equals(pack.subarray(end, pack.length)))
    throw new GitError('bad_checksum', 'pack checksum does not match its content')
}

/** The trailing SHA-1 that names a pack's content. */
export const packChecksum = (pack: PackBytes): Buffer => pack.subarray(pack.length - 20, pack.length)

/**
 * What ties a saved index to its pack: the pack's checksum, or for packs read joined, their identity (a
 * digest of the parts' checksums: the joined checksum would read every byte of them).
 */
export const packIdentity = (pack: PackBytes): Buffer =>
  pack instanceof JoinedPack ? pack.identity : packChecksum(pack)

/** git's delta format: two size varints, then copy-from-base and insert instructions. */
export function applyDelta(base: Buffer, delta: Buffer, maxBytes = Number.POSITIVE_INFINITY): Buffer {
  let p = 0
  const varint = () => {
    let value = 0
    let shift = 0
    let c: number
    do {
      if (p >= delta.length || shift > 49) throw new GitError('corrupt_pack', 'delta header is truncated')
      c = delta[p++]!
      value += (c & 0x7f) * 2 ** shift
      shift += 7
    } while (c & 0x80)
    return value
  }
  const sourceSize = varint()
  const targetSize = varint()
  if (sourceSize !== base.length) throw new GitError('corrupt_pack', 'delta base size does not match its base')
  if (targetSize > maxBytes) throw new GitError('too_large', `an object of ${targetSize} bytes exceeds the limit`)
  const out = Buffer.allocUnsafe(targetSize)
  let o = 0
  const n = delta.length
  while (p < n) {
    const op = delta[p++]!
    if (op & 0x80) {
      let off = 0
      let size = 0
      if (op & 0x01) off = delta[p++]!
      if (op & 0x02) off |= delta[p++]! << 8
      if (op & 0x04) off |= delta[p++]! << 16
      if (op & 0x08) off += delta[p++]! * 0x1000000
      if (op & 0x10) size = delta[p++]!
      if (op & 0x20) size |= delta[p++]! << 8
      if (op & 0x40) size |= delta[p++]! << 16
      if (size === 0) size = 0x10000
      if (p > n || off + size > base.length || o + size > targetSize) {
        throw new GitError('corrupt_pack', 'delta copies outside its base or target')
      }
      base.copy(out, o, off, off + size)
      o += size
    } else if (op !== 0) {
      if (p + op > n || o + op > targetSize) throw new GitError('corrupt_pack', 'delta inserts past its end')
      delta.copy(out, o, p, p + op)
      p += op
      o += op
    } else {
      throw new GitError('corrupt_pack', 'delta has the reserved instruction 0')
    }
  }
  if (o !== targetSize) throw new GitError('corrupt_pack', 'delta result is shorter than declared')
  return out
}

export function hashObject(type: ObjectType, content: Buffer): Buffer {
  return createHash('sha1').update(`${type} ${content.length}\0`).update(content).digest()
}

/** Per object, in pack order: where it is, what it is, and how to rebuild it. */
interface PackTables {
  offsets: Float64Array
  dataStart: Float64Array
  dataEnd: Float64Array
  /** The pack's type: 1–4 stored whole, 6 OFS_DELTA, 7 REF_DELTA. */
  kind: Uint8Array
  /** The resolved type, 1–4. */
  type: Uint8Array
  sizes: Float64Array
  /** The size in the pack header: the delta's own size for a delta. */
  rawSizes: Float64Array
  baseIdx: Int32Array
  isBase: Uint8Array
  oids: Buffer
}

/** All objects of a pack by oid; content is re-inflated on demand, so memory stays near the pack size. */
export class PackIndex {
  readonly #table: Int32Array
  readonly #mask: number
  readonly #cache = new Map<number, Buffer>()
  #cached = 0

  readonly #t: PackTables

  constructor(
    readonly pack: PackBytes,
    readonly count: number,
    tables: PackTables,
    private readonly limits: PackLimits,
  ) {
    this.#t = tables
    const oidBytes = tables.oids
    // Open addressing on the first 4 oid bytes: compact for millions of objects, unlike a Map of hex strings.
    let cap = 1
    while (cap < count * 2) cap <<= 1
    this.#mask = cap - 1
    this.#table = new Int32Array(cap).fill(-1)
    for (let i = 0; i < count; i++) {
      let slot = oidBytes.readUInt32BE(i * 20) & this.#mask
      while (this.#table[slot] !== -1) {
        if (this.#same(this.#table[slot]!, oidBytes, i * 20)) break
        slot = (slot + 1) & this.#mask
      }
      if (this.#table[slot] === -1) this.#table[slot] = i
    }
  }

  #same(i: number, buf: Buffer, at: number): boolean {
    return this.#t.oids.compare(buf, at, at + 20, i * 20, i * 20 + 20) === 0
  }

  #find(oid: string): number {
    if (!/^[0-9a-f]{40}$/.test(oid)) return -1
    const key = Buffer.from(oid, 'hex')
    let slot = key.readUInt32BE(0) & this.#mask
    for (;;) {
      const i = this.#table[slot]!
      if (i === -1) return -1
      if (this.#same(i, key, 0)) return i
      slot = (slot + 1) & this.#mask
    }
  }

  has(oid: string): boolean {
    return this.#find(oid) !== -1
  }

  /** What indexing found, to save beside the pack (`saveIndex`) and resume from (`indexPack`'s `known`). */
  get tables(): Readonly<PackTables> {
    return this.#t
  }

  /** The content of the object at a position in pack order. */
  contentAt(i: number): Buffer {
    return this.#content(i)
  }

  get(oid: string): PackObject | undefined {
    const i = this.#find(oid)
    if (i === -1) return undefined
    return { type: typeNames[this.#t.type[i]!] as ObjectType, offset: this.#t.offsets[i]!, size: this.#t.sizes[i]! }
  }

  *oids(): IterableIterator<string> {
    for (let i = 0; i < this.count; i++) yield this.#t.oids.toString('hex', i * 20, i * 20 + 20)
  }

  /** The content may be shared with the index's cache: read it, never write to it. */
  read(oid: string): { type: ObjectType; content: Buffer } {
    const i = this.#find(oid)
    if (i === -1) throw new GitError('missing_object', `object ${oid} is not in the pack`)
    return { type: typeNames[this.#t.type[i]!] as ObjectType, content: this.#content(i) }
  }

  #inflate(i: number): Buffer {
    return inflate(this.pack.subarray(this.#t.dataStart[i]!, this.#t.dataEnd[i]!), this.#t.rawSizes[i]!)
  }

  #content(i: number): Buffer {
    const hit = this.#cache.get(i)
    if (hit) {
      this.#cache.delete(i)
      this.#cache.set(i, hit)
      return hit
    }
    // Walk down to a stored base or a cached object, then replay the deltas upwards.
    const chain: number[] = []
    let j = i
    let base: Buffer | undefined
    while (this.#t.kind[j]! >= OFS_DELTA) {
      chain.push(j)
      j = this.#t.baseIdx[j]!
      base = this.#cache.get(j)
      if (base) break
    }
    base ??= this.#inflate(j)
    for (let k = chain.length - 1; k >= 0; k--) {
      this.#remember(j, base)
      j = chain[k]!
      base = applyDelta(base, this.#inflate(j))
    }
    this.#remember(i, base)
    return base
  }

  // Only delta bases are kept: they are what the next read of a sibling or a newer version needs.
  #remember(i: number, content: Buffer): void {
    if (!this.#t.isBase[i] || content.length > this.limits.cacheBytes / 4 || this.#cache.has(i)) return
    this.#cache.set(i, content)
    this.#cached += content.length
    for (const [k, v] of this.#cache) {
      if (this.#cached <= this.limits.cacheBytes) break
      this.#cache.delete(k)
      this.#cached -= v.length
    }
  }
}

/**
 * Walks every object of a non-thin pack, resolves its deltas the way `git index-pack` does (each base inflated
 * once, its delta children applied depth first), and hashes each object.
 */
/**
 * zlib's sync output is a slice of a chunk-sized buffer: sized to the object, a small blob does not pin 16 KiB,
 * and a large one is not inflated into many chunks and then copied.
 */
function inflate(data: Buffer, size: number): Buffer {
  return inflateSync(data, { chunkSize: Math.min(Math.max(size + 64, 1024), 4 * 1024 ** 2) })
}

export interface IndexOptions extends Partial<PackLimits> {
  /**
   * The index of a pack this one begins with (a thin pack made whole by `joinPacks`): its objects are
   * taken as they are, and only the objects after them are read, inflated and hashed.
   */
  known?: PackIndex
  /** The pack is known whole (a JoinedPack of checked parts): its checksum is not computed to check it. */
  verified?: boolean
}

export function indexPack(pack: PackBytes, options: IndexOptions = {}): PackIndex {
  const { known, verified, ...given } = options
  const limits = { ...defaultPackLimits(), ...given }
  const { objectCount: n } = verifyPackHeader(pack)
  if (n > limits.maxObjects) {
    throw new GitError('too_many_objects', `the pack has ${n} objects; the limit is ${limits.maxObjects}`)
  }
  if (!verified) verifyPackChecksum(pack)
  // The smallest object takes 2 bytes of header and 8 of zlib; a larger count is a lie that would size arrays.
  if (n * 10 > pack.length) throw new GitError('corrupt_pack', `the pack is too short for ${n} objects`)

  const offsets = new Float64Array(n)
  const dataStart = new Float64Array(n)
  const dataEnd = new Float64Array(n)
  const kind = new Uint8Array(n)
  const type = new Uint8Array(n)
  const sizes = new Float64Array(n)
  const rawSizes = new Float64Array(n)
  const isBase = new Uint8Array(n)
  const baseIdx = new Int32Array(n).fill(-1)
  const oids = Buffer.alloc(n * 20)
  const refBases = new Map<number, Buffer>()
  const end = pack.length - 20
  let total = 0
  // The known prefix: its rows copied, its inflated bytes counted against the limit.
  const first = known?.count ?? 0
  if (known) {
    if (first > n) throw new GitError('corrupt_pack', 'the pack is shorter than the pack it begins with')
    const t = known.tables
    offsets.set(t.offsets)
    dataStart.set(t.dataStart)
    dataEnd.set(t.dataEnd)
    kind.set(t.kind)
    type.set(t.type)
    sizes.set(t.sizes)
    rawSizes.set(t.rawSizes)
    baseIdx.set(t.baseIdx)
    isBase.set(t.isBase)
    t.oids.copy(oids)
    for (let i = 0; i < first; i++) total += sizes[i]!
  }

  const checkTime = () => {
    checkDeadline(limits.deadline, 'unpacking')
  }
  const account = (size: number) => {
    if (size > limits.maxObjectBytes) {
      throw new GitError('too_large', `an object of ${size} bytes exceeds the ${limits.maxObjectBytes}-byte limit`)
    }
    total += size
    if (total > limits.maxTotalBytes) {
      throw new GitError('too_large', `the pack inflates past ${limits.maxTotalBytes} bytes`)
    }
  }
  // Entries only: a JoinedPack computes its checksum when its last bytes are read.
  const reader = new ForwardReader(pack, end)
  // zlib's own bound on what deflate makes of `size` bytes; a stream that is longer still (valid, but no
  // zlib writes one) is read again with more input.
  const deflateBound = (size: number) => size + (size >>> 12) + (size >>> 14) + (size >>> 25) + 64
  const inflateAt = (start: number, size: number): { data: Buffer; used: number } => {
    for (let want = deflateBound(size); ; want *= 4) {
      const { buf, pos: at } = reader.at(start, Math.min(want, end - start))
      const input = buf.subarray(at, at + Math.min(want, end - start))
      try {
        const { buffer, engine } = inflateSync(input, {
          info: true,
          // A declared size bounds the output, so a zlib bomb stops at once instead of filling memory.
          maxOutputLength: Math.max(size, 1),
          chunkSize: Math.min(Math.max(size + 64, 1024), 4 * 1024 ** 2),
        }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } }
        if (buffer.length !== size) throw new Error(`inflated to ${buffer.length} bytes, not ${size}`)
        return { data: buffer, used: engine.bytesWritten }
      } catch (err) {
        const cut = (err as { code?: string }).code === 'Z_BUF_ERROR' && start + want < end
        if (!cut)
          throw new GitError('corrupt_pack', `object at offset ${start} does not inflate: ${(err as Error).message}`)
      }
    }
  }
  // Only objects before `below` have offsets yet, and an OFS_DELTA base always comes earlier.
  const findOffset = (off: number, below: number): number => {
    let lo = 0
    let hi = below - 1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      const v = offsets[mid]!
      if (v === off) return mid
      if (v < off) lo = mid + 1
      else hi = mid - 1
    }
    return -1
  }

  // An entry's header is at most 40 bytes: a size varint, then a delta's base offset or base oid.
  const headerBytes = 64
  let pos = first ? dataEnd[first - 1]! : 12
  for (let i = first; i < n; i++) {
    if ((i & 1023) === 0) checkTime()
    if (pos >= end) throw new GitError('corrupt_pack', `the pack ends after ${i} of ${n} objects`)
    offsets[i] = pos
    const { buf: head, pos: headAt } = reader.at(pos, headerBytes)
    const shift0 = headAt - pos
    const byteAt = (at: number) => {
      if (at >= end) throw new GitError('corrupt_pack', `bad object header at offset ${offsets[i]}`)
      return head[at + shift0]!
    }
    let c = byteAt(pos++)
    const k = (c >> 4) & 7
    let size = c & 15
    let shift = 4
    while (c & 0x80) {
      if (shift > 49) throw new GitError('corrupt_pack', `bad object header at offset ${offsets[i]}`)
      c = byteAt(pos++)
      size += (c & 0x7f) * 2 ** shift
      shift += 7
    }
    kind[i] = k
    rawSizes[i] = size
    if (k === OFS_DELTA) {
      c = byteAt(pos++)
      let rel = c & 0x7f
      while (c & 0x80) {
        if (rel > 2 ** 45) throw new GitError('corrupt_pack', `bad delta offset at ${offsets[i]}`)
        c = byteAt(pos++)
        rel = (rel + 1) * 128 + (c & 0x7f)
      }
      const b = findOffset(offsets[i]! - rel, i)
      if (b === -1) throw new GitError('missing_base', `delta at offset ${offsets[i]} points at no object`)
      baseIdx[i] = b
    } else if (k === REF_DELTA) {
      if (pos + 20 > end) throw new GitError('corrupt_pack', `truncated delta base at offset ${offsets[i]}`)
      // Copied: the reader's window is not kept.
      refBases.set(i, Buffer.from(head.subarray(pos + shift0, pos + shift0 + 20)))
      pos += 20
    } else if (k < 1 || k > 4) {
      throw new GitError('corrupt_pack', `unknown object type ${k} at offset ${offsets[i]}`)
    }
    if (size > limits.maxObjectBytes) {
      throw new GitError('too_large', `an object of ${size} bytes exceeds the ${limits.maxObjectBytes}-byte limit`)
    }
    dataStart[i] = pos
    const { data, used } = inflateAt(pos, size)
    pos += used
    dataEnd[i] = pos
    if (k <= 4) {
      account(size)
      type[i] = k
      sizes[i] = size
      hashObject(typeNames[k] as ObjectType, data).copy(oids, i * 20)
    }
  }
  if (pos !== end) throw new GitError('corrupt_pack', `${end - pos} unexpected bytes after the last object`)

  // Children of each base, as compact lists: by offset (OFS_DELTA) and by base oid (REF_DELTA).
  const ofsFirst = new Int32Array(n + 1)
  for (let i = first; i < n; i++) if (kind[i] === OFS_DELTA) ofsFirst[baseIdx[i]! + 1]!++
  for (let i = 0; i < n; i++) ofsFirst[i + 1]! += ofsFirst[i]!
  const ofsKids = new Int32Array(ofsFirst[n]!)
  const fill = ofsFirst.slice(0, n)
  for (let i = first; i < n; i++) if (kind[i] === OFS_DELTA) ofsKids[fill[baseIdx[i]!]!++] = i
  const refKids = new Map<string, number[]>()
  for (const [i, oid] of refBases) {
    const key = oid.toString('hex')
    const list = refKids.get(key)
    if (list) list.push(i)
    else refKids.set(key, [i])
  }
  const kidsOf = (i: number): number[] => {
    const out: number[] = []
    for (let k = ofsFirst[i]!; k < ofsFirst[i + 1]!; k++) out.push(ofsKids[k]!)
    if (refKids.size > 0) {
      const more = refKids.get(oids.toString('hex', i * 20, i * 20 + 20))
      if (more) for (const k of more) out.push(k)
    }
    return out
  }

  // A known object is resolved already; the new deltas built on it start from its content, read through
  // the known index itself (its pack holds the same entries at the same offsets).
  const prefix = known
  let resolved = first
  for (let root = 0; root < n; root++) {
    const isKnown = root < first
    if (!isKnown && kind[root]! >= OFS_DELTA) continue
    if (!isKnown) resolved++
    const rootKids = kidsOf(root)
    if (rootKids.length === 0) continue
    const rootData = isKnown
      ? prefix!.contentAt(root)
      : inflate(pack.subarray(dataStart[root]!, dataEnd[root]!), rawSizes[root]!)
    isBase[root] = 1
    // An explicit stack: a hostile pack may chain thousands of deltas.
    const stack: { idx: number; data: Buffer; kids: number[]; next: number }[] = [
      { idx: root, data: rootData, kids: rootKids, next: 0 },
    ]
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!
      if (top.next >= top.kids.length) {
        stack.pop()
        continue
      }
      const child = top.kids[top.next++]!
      // A pack may hold one object twice; its REF_DELTA children are then listed under both copies.
      if (type[child] !== 0) continue
      if ((resolved & 1023) === 0) checkTime()
      const delta = inflate(pack.subarray(dataStart[child]!, dataEnd[child]!), rawSizes[child]!)
      const data = applyDelta(top.data, delta, limits.maxObjectBytes)
      account(data.length)
      baseIdx[child] = top.idx
      type[child] = type[top.idx]!
      sizes[child] = data.length
      hashObject(typeNames[type[child]!] as ObjectType, data).copy(oids, child * 20)
      resolved++
      const kids = kidsOf(child)
      if (kids.length > 0) {
        isBase[child] = 1
        stack.push({ idx: child, data, kids, next: 0 })
      }
    }
  }
  if (resolved !== n) {
    let what = 'their bases'
    for (const [i, oid] of refBases) if (type[i] === 0) what = `base ${oid.toString('hex')}`
    throw new GitError('missing_base', `${n - resolved} deltas cannot be resolved: the pack lacks ${what}`)
  }
  const tables = { offsets, dataStart, dataEnd, kind, type, sizes, rawSizes, baseIdx, isBase, oids }
  return new PackIndex(pack, n, tables, limits)
}

/** Written before a saved index: a format name and version, then the object count and the pack's identity. */
const savedIndexMagic = 'VEGAIDX1'
const savedIndexHeader = 8 + 4 + 20

/**
 * An index as bytes, to keep beside its pack, so a later pack that begins with this one (a thin push made
 * whole) is indexed from where this one ends. Typed arrays are written as the machine holds them
 * (little-endian on every Lambda and local machine Vega runs on); the pack's identity ties the two. A
 * joined pack written out to a file is read back as that file: its index is saved with the file's checksum.
 */
export function saveIndex(index: PackIndex, identity = packIdentity(index.pack)): Buffer {
  const t = index.tables
  const header = Buffer.alloc(savedIndexHeader)
  header.write(savedIndexMagic, 0, 'latin1')
  header.writeUInt32BE(index.count, 8)
  identity.copy(header, 12)
  const columns = [t.offsets, t.dataStart, t.dataEnd, t.kind, t.type, t.sizes, t.rawSizes, t.baseIdx, t.isBase]
  return Buffer.concat([
    header,
    ...columns.map((column) => Buffer.from(column.buffer, column.byteOffset, column.byteLength)),
    t.oids,
  ])
}

/** A saved index of this very pack, or undefined when the bytes are not one (another pack, a cut file). */
export function loadIndex(pack: PackBytes, saved: Buffer, options: Partial<PackLimits> = {}): PackIndex | undefined {
  if (saved.length < savedIndexHeader || saved.toString('latin1', 0, 8) !== savedIndexMagic) return undefined
  const n = saved.readUInt32BE(8)
  if (n !== verifyPackHeader(pack).objectCount || !saved.subarray(12, 32).equals(packIdentity(pack))) return undefined
  if (saved.length !== savedIndexHeader + n * (8 * 5 + 4 + 3 + 20)) return undefined
  let at = savedIndexHeader
  // Copied into fresh arrays: a Float64Array needs 8-byte alignment the saved bytes do not promise.
  const take = <T extends Float64Array | Int32Array | Uint8Array>(make: (count: number) => T): T => {
    const column = make(n)
    Buffer.from(column.buffer).set(saved.subarray(at, at + column.byteLength))
    at += column.byteLength
    return column
  }
  const f64 = (count: number) => new Float64Array(count)
  const u8 = (count: number) => new Uint8Array(count)
  const tables: PackTables = {
    offsets: take(f64),
    dataStart: take(f64),
    dataEnd: take(f64),
    kind: take(u8),
    type: take(u8),
    sizes: take(f64),
    rawSizes: take(f64),
    baseIdx: take((count) => new Int32Array(count)),
    isBase: take(u8),
    oids: Buffer.from(saved.subarray(at, at + n * 20)),
  }
  return new PackIndex(pack, n, tables, { ...defaultPackLimits(), ...options })
}
