// Where a pack's bytes are read from. A pushed pack of a few megabytes is a Buffer; the worker's input (a
// bundle or a kept pack of up to a gigabyte) is a file on disk, read a range at a time, so no scan holds a
// whole pack in memory.
import { createHash } from 'node:crypto'
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs'
import { GitError } from './errors.js'

/** A Buffer is one as it is: `subarray` is all the reader asks for. */
export interface PackBytes {
  readonly length: number
  /** The bytes from `start` to `end`; readers never write to them. */
  subarray(start: number, end: number): Buffer
}

/** A file (or its tail, from `offset`: the pack inside a bundle), read with positioned reads. */
export class FileBytes implements PackBytes {
  readonly length: number
  readonly #fd: number

  constructor(
    readonly path: string,
    readonly offset = 0,
  ) {
    this.#fd = openSync(path, 'r')
    this.length = fstatSync(this.#fd).size - offset
    if (this.length < 0) throw new GitError('corrupt_pack', `${path} is shorter than its offset ${offset}`)
  }

  subarray(start: number, end: number): Buffer {
    const from = Math.max(0, Math.min(start, this.length))
    const to = Math.max(from, Math.min(end, this.length))
    const out = Buffer.allocUnsafe(to - from)
    let done = 0
    while (done < out.length) {
      const read = readSync(this.#fd, out, done, out.length - done, this.offset + from + done)
      if (read === 0) throw new GitError('corrupt_pack', `${this.path} ended while being read`)
      done += read
    }
    return out
  }

  close(): void {
    closeSync(this.#fd)
  }
}

/** How much a pass over a whole pack reads at a time. */
const chunkBytes = 8 * 1024 ** 2

/** Calls `each` with consecutive pieces of the bytes from `start` to `end`. */
function eachChunk(bytes: PackBytes, start: number, end: number, each: (chunk: Buffer) => void): void {
  for (let at = start; at < end; at += chunkBytes) each(bytes.subarray(at, Math.min(end, at + chunkBytes)))
}

export function sha1Of(bytes: PackBytes, start: number, end: number): Buffer {
  const hash = createHash('sha1')
  eachChunk(bytes, start, end, (chunk) => hash.update(chunk))
  return hash.digest()
}

/** Writes the bytes from `start` to `end` to an open file. */
function copyInto(fd: number, bytes: PackBytes, start: number, end: number): void {
  eachChunk(bytes, start, end, (chunk) => {
    let done = 0
    while (done < chunk.length) done += writeSync(fd, chunk, done)
  })
}

/**
 * Reads forward through a pack: a window of a few megabytes at a time (a Buffer is its own window), so
 * indexing a pack on disk costs one read per window, not one per object. Nothing at or past `end` is
 * read: a pack's entries end before its checksum, which a JoinedPack computes over every byte when read.
 */
export class ForwardReader {
  #window: Buffer
  #from = 0

  constructor(
    private readonly bytes: PackBytes,
    private readonly end = bytes.length,
  ) {
    this.#window = Buffer.isBuffer(bytes) ? bytes.subarray(0, end) : Buffer.alloc(0)
  }

  /**
   * A Buffer holding the bytes from `start` on (at least `want` of them, fewer only at `end`) and
   * where `start` is inside it. The Buffer may be shared: read it before the next call.
   */
  at(start: number, want: number): { buf: Buffer; pos: number } {
    const end = Math.min(this.end, start + want)
    if (start >= this.#from && end <= this.#from + this.#window.length)
      return { buf: this.#window, pos: start - this.#from }
    // A request wider than the window is read on its own, and the window stays where it is.
    if (end - start > chunkBytes) return { buf: this.bytes.subarray(start, end), pos: 0 }
    this.#from = start
    this.#window = this.bytes.subarray(start, Math.min(this.end, start + chunkBytes))
    return { buf: this.#window, pos: 0 }
  }
}

/**
 * Packs read as the one pack of them all (a thin push and the kept pack it builds on, perhaps with the thin
 * packs pushed between) without writing it: a new header, each pack's entries in turn, and a checksum
 * computed only when something asks for it (writing the file). Entries keep their bytes, so an OFS_DELTA's
 * relative offset still lands on its base. The parts are trusted to be whole: a thin pack's checksum was
 * checked when it was read alone, the kept pack's when it was first scanned.
 */
export class JoinedPack implements PackBytes {
  readonly length: number
  readonly #parts: { bytes: PackBytes; from: number; at: number; size: number }[]
  readonly #packs: PackBytes[]
  #checksum?: Buffer

  constructor(...packs: PackBytes[]) {
    const header = Buffer.alloc(12)
    header.write('PACK', 0, 'latin1')
    header.writeUInt32BE(2, 4)
    header.writeUInt32BE(
      packs.reduce((count, pack) => count + pack.subarray(8, 12).readUInt32BE(0), 0),
      8,
    )
    this.#packs = packs
    this.#parts = [{ bytes: header, from: 0, at: 0, size: 12 }]
    let at = 12
    for (const pack of packs) {
      this.#parts.push({ bytes: pack, from: 12, at, size: pack.length - 32 })
      at += pack.length - 32
    }
    this.length = at + 20
  }

  /**
   * What names this pack without reading it: a digest of its parts' own checksums, in order. A saved index
   * of the joined pack carries it (`saveIndex`), so loading that index against the same parts reads 20
   * bytes of each, where the joined checksum reads every byte.
   */
  get identity(): Buffer {
    const hash = createHash('sha1').update('vega joined pack\n')
    for (const pack of this.#packs) hash.update(pack.subarray(pack.length - 20, pack.length))
    return hash.digest()
  }

  subarray(start: number, end: number): Buffer {
    const from = Math.max(0, Math.min(start, this.length))
    const to = Math.max(from, Math.min(end, this.length))
    const pieces: Buffer[] = []
    for (const part of this.#parts) {
      const a = Math.max(from, part.at)
      const b = Math.min(to, part.at + part.size)
      if (a < b) pieces.push(part.bytes.subarray(part.from + a - part.at, part.from + b - part.at))
    }
    const body = this.length - 20
    if (to > body) pieces.push(this.checksum.subarray(Math.max(from, body) - body, to - body))
    return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces)
  }

  /** The joined pack's SHA-1 (its last 20 bytes), read once over every part. */
  get checksum(): Buffer {
    if (!this.#checksum) {
      const hash = createHash('sha1')
      for (const part of this.#parts) eachChunk(part.bytes, part.from, part.from + part.size, (c) => hash.update(c))
      this.#checksum = hash.digest()
    }
    return this.#checksum
  }

  /** The pack as one file, to keep for the next push. */
  writeTo(path: string): void {
    const fd = openSync(path, 'w')
    try {
      for (const part of this.#parts) copyInto(fd, part.bytes, part.from, part.from + part.size)
      writeSync(fd, this.checksum)
    } finally {
      closeSync(fd)
    }
  }
}
