import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { deflateRawSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { readBundleFile } from '../../shared/git/bundle.js'
import {
  applyDelta,
  hashObject,
  indexPack,
  loadIndex,
  type PackIndex,
  saveIndex,
  verifyPackChecksum,
  verifyPackHeader,
} from '../../shared/git/pack.js'
import { FileBytes, JoinedPack } from '../../shared/git/pack-bytes.js'
import {
  catAll,
  codeOf,
  commitAll,
  git,
  gitText,
  initRepo,
  packOf,
  rawDelta,
  rawPack,
  removeTempDirs,
  richRepo,
  tempDir,
} from '../support/git-fixtures.js'

afterAll(removeTempDirs)
const repo = richRepo()
const objects = catAll(repo.dir)

const withChecksum = (body: Buffer) => Buffer.concat([body, createHash('sha1').update(body).digest()])

/** Object kinds as git-verify-pack reports them, to prove a pack really holds the delta kind under test. */
const deltaKinds = (pack: Buffer): Set<number> => {
  const kinds = new Set<number>()
  const index = indexPack(pack)
  for (const oid of index.oids()) kinds.add((pack[index.get(oid)!.offset]! >> 4) & 7)
  return kinds
}

/** The longest delta chain, as git verify-pack reports it. */
const longestChain = (pack: Buffer): number => {
  const dir = tempDir()
  writeFileSync(join(dir, 'p.pack'), pack)
  git(dir, ['index-pack', '-o', join(dir, 'p.idx'), join(dir, 'p.pack')])
  const report = git(dir, ['verify-pack', '-v', join(dir, 'p.idx')]).toString()
  return Math.max(...[...report.matchAll(/chain length = (\d+)/g)].map((m) => Number(m[1])))
}

describe('verifyPackHeader and verifyPackChecksum', () => {
  it('reads the version and object count of a real pack', () => {
    const pack = packOf(repo.dir)

    expect(verifyPackHeader(pack)).toEqual({ version: 2, objectCount: objects.size })
    expect(() => verifyPackChecksum(pack)).not.toThrow()
  })

  it('refuses a wrong signature, a wrong version and a changed byte', () => {
    const pack = packOf(repo.dir)
    const badSig = Buffer.from(pack)
    badSig.write('KCAP', 0, 'latin1')
    const badVersion = Buffer.from(pack)
    badVersion.writeUInt32BE(4, 4)
    const flipped = Buffer.from(pack)
    flipped[100] = flipped[100]! ^ 1

    expect(codeOf(() => verifyPackHeader(badSig))).toBe('bad_signature')
    expect(codeOf(() => verifyPackHeader(badVersion))).toBe('bad_version')
    expect(codeOf(() => verifyPackChecksum(flipped))).toBe('bad_checksum')
  })
})

describe('indexPack', () => {
  for (const ofs of [true, false]) {
    const kind = ofs ? 'OFS_DELTA' : 'REF_DELTA'
    it(`indexes every object of git rev-list --objects --all with its type and content (${kind})`, () => {
      const pack = packOf(repo.dir, '--all', { ofs })

      const index = indexPack(pack)

      expect(deltaKinds(pack).has(ofs ? 6 : 7)).toBe(true)
      expect(index.count).toBe(objects.size)
      for (const [oid, want] of objects) {
        const got = index.read(oid)
        expect(got.type).toBe(want.type)
        expect(got.content.equals(want.content)).toBe(true)
        expect(index.get(oid)?.size).toBe(want.content.length)
      }
    })
  }

  it('resolves long delta chains, with and without a cache', () => {
    const dir = initRepo()
    // Each version changes a few more lines, so the nearest version is the best base and the deltas chain.
    for (let v = 1; v <= 20; v++) {
      const lines = Array.from({ length: 300 }, (_, k) => (k < v * 9 ? `changed line ${k} in ${v}` : `row ${k}`))
      writeFileSync(join(dir, 'grow.txt'), `${lines.join('\n')}\n`)
      commitAll(dir, `version ${v}`)
    }
    const pack = packOf(dir, '--all', { window: 250 })
    const want = catAll(dir)

    const cold = indexPack(pack, { cacheBytes: 0 })
    const warm = indexPack(pack)

    expect(longestChain(pack)).toBeGreaterThanOrEqual(5)
    for (const [oid, w] of want) {
      expect(cold.read(oid).content.equals(w.content)).toBe(true)
      expect(warm.read(oid).content.equals(w.content)).toBe(true)
    }
  })

  it('refuses a truncated pack', () => {
    const pack = packOf(repo.dir)

    expect(codeOf(() => indexPack(pack.subarray(0, pack.length - 7)))).toBe('bad_checksum')
    expect(codeOf(() => indexPack(withChecksum(pack.subarray(0, pack.length - 200))))).toBe('corrupt_pack')
  })

  it('refuses damaged zlib data even under a valid checksum', () => {
    const pack = Buffer.from(packOf(repo.dir))
    const body = pack.subarray(0, pack.length - 20)
    for (let i = 200; i < 260; i++) body[i] = body[i]! ^ 0x55

    expect(codeOf(() => indexPack(withChecksum(body)))).toBe('corrupt_pack')
  })

  it('refuses a thin pack whose delta base is missing, instead of dropping the delta', () => {
    const thin = packOf(repo.dir, 'HEAD\n^HEAD~3', {}).length
    const args = ['pack-objects', '--stdout', '--revs', '--thin', '-q', '--delta-base-offset']
    const pack = git(repo.dir, args, 'HEAD\n^HEAD~3\n')

    expect(pack.length).toBeLessThan(thin)
    expect(codeOf(() => indexPack(pack))).toBe('missing_base')
  })

  it('makes a thin pack whole with the pack it was built on, indexed from scratch or from the first one', () => {
    const base = packOf(repo.dir, 'HEAD~3')
    const thin = git(
      repo.dir,
      ['pack-objects', '--stdout', '--revs', '--thin', '-q', '--delta-base-offset'],
      'HEAD\n^HEAD~3\n',
    )
    const joined = new JoinedPack(base, thin)
    const path = join(tempDir(), 'whole.pack')
    joined.writeTo(path)
    const whole = readFileSync(path)
    // Read without being written, the joined pack is byte for byte the file, across its parts' seams.
    expect(() => verifyPackChecksum(whole)).not.toThrow()
    expect(joined.length).toBe(whole.length)
    for (const [from, to] of [
      [0, 40],
      [base.length - 40, base.length],
      [0, whole.length],
      [whole.length - 30, whole.length],
    ])
      expect(joined.subarray(from!, to!).equals(whole.subarray(from, to))).toBe(true)
    const fromScratch = indexPack(whole)
    const baseIndex = indexPack(base)
    const resumed = indexPack(joined, { known: baseIndex, verified: true })
    const everything = (index: PackIndex) =>
      [...index.oids()].sort().map((oid) => [oid, index.read(oid).type, index.read(oid).content.toString('hex')])

    expect(verifyPackHeader(whole).objectCount).toBe(
      verifyPackHeader(base).objectCount + verifyPackHeader(thin).objectCount,
    )
    expect(everything(resumed)).toEqual(everything(fromScratch))
    // Every object of HEAD's history is there, as git has it.
    const history = gitText(repo.dir, ['rev-list', '--objects', 'HEAD'])
      .split('\n')
      .map((line) => line.slice(0, 40))
    for (const oid of history) expect(resumed.read(oid).content.equals(objects.get(oid)!.content)).toBe(true)
  })

  it('indexes a joined pack known whole without reading its checksum (a pass over every byte)', () => {
    const base = packOf(repo.dir, 'HEAD~3')
    const thin = git(
      repo.dir,
      ['pack-objects', '--stdout', '--revs', '--thin', '-q', '--delta-base-offset'],
      'HEAD\n^HEAD~3\n',
    )
    const joined = new JoinedPack(base, thin)
    let furthest = 0
    const watched = {
      length: joined.length,
      subarray: (start: number, end: number) => {
        furthest = Math.max(furthest, Math.min(end, joined.length))
        return joined.subarray(start, end)
      },
    }

    const index = indexPack(watched, { known: indexPack(base), verified: true })

    expect(index.count).toBe(verifyPackHeader(base).objectCount + verifyPackHeader(thin).objectCount)
    expect(furthest).toBe(joined.length - 20)
  })

  it('joins a kept pack and the thin packs pushed on it in turn, its index tied to the parts without reading them', () => {
    const thinArgs = ['pack-objects', '--stdout', '--revs', '--thin', '-q', '--delta-base-offset']
    const base = packOf(repo.dir, 'HEAD~3')
    const first = git(repo.dir, thinArgs, 'HEAD~1\n^HEAD~3\n')
    const second = git(repo.dir, thinArgs, 'HEAD\n^HEAD~1\n')
    const joined = new JoinedPack(base, first, second)
    const path = join(tempDir(), 'whole.pack')
    joined.writeTo(path)
    const whole = readFileSync(path)
    const index = indexPack(new JoinedPack(base, first, second), {
      known: indexPack(new JoinedPack(base, first), { known: indexPack(base), verified: true }),
      verified: true,
    })
    let read = 0
    const watched = (pack: Buffer) => ({
      length: pack.length,
      subarray: (start: number, end: number) => {
        read += end - start
        return pack.subarray(start, end)
      },
    })
    const parts = [base, first, second].map(watched)

    const loaded = loadIndex(new JoinedPack(base, first, second), saveIndex(index))

    expect(() => verifyPackChecksum(whole)).not.toThrow()
    expect(joined.subarray(0, whole.length).equals(whole)).toBe(true)
    expect([...loaded!.oids()].sort()).toEqual([...indexPack(whole).oids()].sort())
    for (const oid of gitText(repo.dir, ['rev-list', '--objects', 'HEAD'])
      .split('\n')
      .map((line) => line.slice(0, 40)))
      expect(loaded!.read(oid).content.equals(objects.get(oid)!.content)).toBe(true)
    // Other parts, or the same in another order, are another pack; the file written is its own.
    expect(loadIndex(new JoinedPack(base, first), saveIndex(index))).toBeUndefined()
    expect(loadIndex(new JoinedPack(base, second, first), saveIndex(index))).toBeUndefined()
    expect(loadIndex(whole, saveIndex(index))).toBeUndefined()
    expect(loadIndex(whole, saveIndex(index, joined.checksum))).toBeDefined()
    // Tied to the parts by their checksums: a count and 20 bytes of each part are read, not the whole.
    expect(loadIndex(new JoinedPack(...parts), saveIndex(index))).toBeDefined()
    expect(read).toBe(3 * (4 + 20))
  })

  it('saves an index and loads it back for its own pack only', () => {
    const pack = packOf(repo.dir)
    const index = indexPack(pack)
    const loaded = loadIndex(pack, saveIndex(index))

    expect(loaded).toBeDefined()
    expect([...loaded!.oids()]).toEqual([...index.oids()])
    for (const oid of index.oids()) expect(loaded!.read(oid).content.equals(index.read(oid).content)).toBe(true)
    expect(loadIndex(packOf(repo.dir, 'HEAD~3'), saveIndex(index))).toBeUndefined()
    expect(loadIndex(pack, saveIndex(index).subarray(0, 100))).toBeUndefined()
    expect(loadIndex(pack, Buffer.from('not an index'))).toBeUndefined()
  })

  it('trips each limit with its code', () => {
    const pack = packOf(repo.dir)

    expect(codeOf(() => indexPack(pack, { maxObjects: 5 }))).toBe('too_many_objects')
    expect(codeOf(() => indexPack(pack, { maxObjectBytes: 1000 }))).toBe('too_large')
    expect(codeOf(() => indexPack(pack, { maxTotalBytes: 50_000 }))).toBe('too_large')
    expect(codeOf(() => indexPack(pack, { deadline: Date.now() - 1 }))).toBe('time_budget')
  })

  it('refuses a pack that claims more objects than it holds', () => {
    const body = Buffer.from(packOf(repo.dir).subarray(0, -20))
    body.writeUInt32BE(objects.size + 1, 8)

    expect(codeOf(() => indexPack(withChecksum(body)))).toBe('corrupt_pack')
  })
})

describe('packs on disk', () => {
  const contentsOf = (index: PackIndex) =>
    [...index.oids()].sort().map((oid) => `${oid} ${index.read(oid).type} ${hashOf(index.read(oid).content)}`)
  const hashOf = (content: Buffer) => createHash('sha1').update(content).digest('hex')
  const onDisk = (bytes: Buffer, name = 'p.pack') => {
    const path = join(tempDir(), name)
    writeFileSync(path, bytes)
    return path
  }

  it('indexes a pack read from a file as it indexes the same bytes in memory, objects across read windows', () => {
    // Incompressible blobs of 3-7 MB: the pack is over 20 MB, so objects straddle the 8 MB windows.
    const big = initRepo()
    // Deterministic noise: SHA-256 in counter mode.
    const random = (size: number) => {
      const out = Buffer.alloc(size)
      for (let at = 0, n = 0; at < size; at += 32, n++)
        createHash('sha256').update(`${size}:${n}`).digest().copy(out, at)
      return out
    }
    for (const [name, size] of [
      ['a.bin', 7_000_001],
      ['b.bin', 3_000_017],
      ['c.bin', 7_500_003],
      ['d.txt', 10],
    ] as const)
      writeFileSync(join(big, name), random(size))
    commitAll(big, 'big blobs')
    const bytes = packOf(big)
    const file = new FileBytes(onDisk(bytes))
    try {
      expect(bytes.length).toBeGreaterThan(16 * 1024 ** 2)
      expect(contentsOf(indexPack(file))).toEqual(contentsOf(indexPack(bytes)))
    } finally {
      file.close()
    }
  })

  it('reads the pack of a bundle on disk where its header ends', () => {
    const path = join(tempDir(), 'repo.bundle')
    git(repo.dir, ['bundle', 'create', path, '--all'])
    const bundle = readBundleFile(path)
    try {
      expect(bundle.refs.length).toBeGreaterThan(0)
      expect(contentsOf(indexPack(bundle.pack))).toEqual(contentsOf(indexPack(packOf(repo.dir))))
    } finally {
      bundle.pack.close()
    }
  })

  it('reads a zlib stream longer than zlib would write (empty stored blocks before the data)', () => {
    const data = Buffer.from('padded object\n')
    const plain = deflateRawSync(data)
    const emptyStored = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff])
    const adler = Buffer.alloc(4)
    adler.writeUInt32BE(adler32(data))
    const padded = Buffer.concat([Buffer.from([0x78, 0x01]), ...Array(400).fill(emptyStored), plain, adler])
    const pack = rawPack([{ type: 3, data, deflated: padded }])
    const file = new FileBytes(onDisk(pack))
    try {
      for (const index of [indexPack(pack), indexPack(file)])
        expect(index.read(hashObject('blob', data).toString('hex')).content.equals(data)).toBe(true)
    } finally {
      file.close()
    }
  })

  it('refuses a pack on disk cut short', () => {
    const bytes = packOf(repo.dir)
    const cut = Buffer.from(bytes.subarray(0, bytes.length - 200))
    const cutFile = new FileBytes(onDisk(withChecksum(cut)))
    try {
      expect(codeOf(() => indexPack(cutFile))).toBe('corrupt_pack')
    } finally {
      cutFile.close()
    }
  })
})

/** zlib's trailer: the Adler-32 of the inflated bytes. */
function adler32(data: Buffer): number {
  let a = 1
  let b = 0
  for (const byte of data) {
    a = (a + byte) % 65521
    b = (b + a) % 65521
  }
  return ((b << 16) | a) >>> 0
}

describe('indexPack on hand-made packs', () => {
  const hello = Buffer.from('hello world')
  const bang = rawDelta(11, 8, [0x90, 5, 3, 0x21, 0x21, 0x21])

  it('resolves an OFS_DELTA and a REF_DELTA written by hand', () => {
    const helloOid = gitText(repo.dir, ['hash-object', '--stdin'], hello)
    const pack = rawPack([
      { type: 3, data: hello },
      { type: 6, data: bang, ofs: 0 },
      { type: 7, data: rawDelta(11, 5, [0x90, 5]), base: helloOid },
    ])

    const index = indexPack(pack)

    expect([...index.oids()].map((oid) => index.read(oid).content.toString())).toEqual([
      'hello world',
      'hello!!!',
      'hello',
    ])
    expect(index.get(gitText(repo.dir, ['hash-object', '--stdin'], 'hello!!!'))?.type).toBe('blob')
  })

  it("refuses REF_DELTAs that are each other's base", () => {
    const a = 'a'.repeat(40)
    const b = 'b'.repeat(40)
    const pack = rawPack([
      { type: 3, data: hello },
      { type: 7, data: bang, base: b },
      { type: 7, data: bang, base: a },
    ])

    expect(codeOf(() => indexPack(pack))).toBe('missing_base')
  })

  it('refuses a delta that would build an object past the size limit, before building it', () => {
    const bomb = rawDelta(11, 600 * 1024 ** 2, [0x90, 5])
    const pack = rawPack([
      { type: 3, data: hello },
      { type: 6, data: bomb, ofs: 0 },
    ])

    expect(codeOf(() => indexPack(pack))).toBe('too_large')
  })

  it('refuses zlib data that inflates past its declared size', () => {
    const pack = rawPack([{ type: 3, data: Buffer.alloc(20 * 1024 ** 2), size: 10 }])

    expect(codeOf(() => indexPack(pack))).toBe('corrupt_pack')
  })
})

describe('applyDelta', () => {
  it('copies and inserts, and refuses copies outside the base', () => {
    const base = Buffer.from('hello world')
    const delta = Buffer.from([11, 8, 0x90, 5, 3, 0x21, 0x21, 0x21, 0x91, 6, 0])
    const bad = Buffer.from([11, 5, 0x91, 9, 5])

    expect(applyDelta(base, delta.subarray(0, 8)).toString()).toBe('hello!!!')
    expect(codeOf(() => applyDelta(base, bad))).toBe('corrupt_pack')
    expect(codeOf(() => applyDelta(base, Buffer.from([11, 1, 0])))).toBe('corrupt_pack')
    expect(codeOf(() => applyDelta(Buffer.from('x'), delta))).toBe('corrupt_pack')
  })
})
