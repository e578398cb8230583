// A warm worker's copies of kept packs: held by key and ETag, the newest per repository, within a budget,
// and nothing left on the disk by a process that is gone.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, openSync, readdirSync, readSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { threadId } from 'node:worker_threads'
import { afterAll, describe, expect, it } from 'vitest'
import { KeptCache } from '../../shared/worker/kept-cache.js'
import { removeTempDirs, tempDir } from '../support/git-fixtures.js'

afterAll(removeTempDirs)

/** A file of `bytes` bytes, each `fill`, in a scratch folder. */
function scratchFile(bytes: number, fill: number): string {
  const path = join(tempDir('vega-scratch-'), 'whole.pack')
  writeFileSync(path, Buffer.alloc(bytes, fill))
  return path
}

describe('the kept pack cache', () => {
  it('holds a pack by key while the bucket holds the same object (ETag), with its index', () => {
    const cache = new KeptCache(10_000, tempDir('vega-kept-'))
    const file = scratchFile(300, 1)

    cache.keep({ key: 'k/a.pack', etag: '"e1"', group: 'repo-a', file, index: Buffer.from('idx') })

    const held = cache.held('k/a.pack', '"e1"')
    expect(held?.index?.toString()).toBe('idx')
    expect(existsSync(file)).toBe(false)
    const fd = openSync(held!.pack, 'r')
    const first = Buffer.alloc(1)
    readSync(fd, first, 0, 1, 0)
    expect(first[0]).toBe(1)
    expect(cache.held('k/a.pack', '"another"')).toBeUndefined()
    expect(cache.held('k/b.pack', '"e1"')).toBeUndefined()
    expect(cache.bytes).toBe(303)
  })

  it('holds two packs per repository, the newest, and evicts the least recently used past its budget', () => {
    const cache = new KeptCache(1_000, tempDir('vega-kept-'))
    cache.keep({ key: 'a1', etag: 'e', group: 'a', file: scratchFile(300, 1) })
    const oldest = cache.held('a1', 'e')!.pack
    cache.keep({ key: 'a2', etag: 'e', group: 'a', file: scratchFile(300, 2) })
    cache.keep({ key: 'a3', etag: 'e', group: 'a', file: scratchFile(300, 3) })
    cache.held('a2', 'e')
    cache.keep({ key: 'b1', etag: 'e', group: 'b', file: scratchFile(300, 4) })
    const afterB = ['a1', 'a2', 'a3', 'b1'].map((key) => cache.etagOf(key))
    cache.held('a2', 'e')

    cache.keep({ key: 'c1', etag: 'e', group: 'c', file: scratchFile(300, 5) })

    expect(afterB).toEqual([undefined, 'e', 'e', 'e'])
    expect(existsSync(oldest)).toBe(false)
    // a3 is newer than a2, but a2 was read since.
    expect(['a1', 'a2', 'a3', 'b1', 'c1'].map((key) => cache.etagOf(key))).toEqual([
      undefined,
      'e',
      undefined,
      'e',
      'e',
    ])
    expect(cache.bytes).toBe(900)
  })

  it('holds the index of a part kept with its pack in place of the one before, read only under its own key', () => {
    const cache = new KeptCache(1_000, tempDir('vega-kept-'))
    cache.keep({
      key: 'a1',
      etag: 'e',
      group: 'a',
      file: scratchFile(300, 1),
      index: Buffer.from('i1'),
      indexKey: 'x1',
    })
    cache.keep({ key: 'a2', etag: 'e', group: 'a', file: scratchFile(300, 2) })
    const pack = cache.held('a1', 'e', 'x1')!.pack

    cache.keepIndex('a1', 'x2', Buffer.from('index two'))
    cache.keepIndex('gone', 'x3', Buffer.from('nothing'))
    cache.keep({ key: 'a3', etag: 'e', group: 'a', file: scratchFile(300, 3) })

    expect(cache.held('a1', 'e', 'x2')).toEqual({ pack, index: Buffer.from('index two') })
    // Another key's index (a push built on the pack as it was before) is downloaded instead.
    expect(cache.held('a1', 'e', 'x1')).toEqual({ pack, index: undefined })
    // Kept since a2, so newer: a2 left for a3.
    expect(['a1', 'a2', 'a3', 'gone'].map((key) => cache.etagOf(key))).toEqual(['e', undefined, 'e', undefined])
    expect(cache.bytes).toBe(300 + 9 + 300)
  })

  it('leaves a pack larger than its whole budget where it is', () => {
    const cache = new KeptCache(100, tempDir('vega-kept-'))
    const file = scratchFile(101, 1)

    cache.keep({ key: 'big', etag: 'e', group: 'a', file })

    expect(existsSync(file)).toBe(true)
    expect(cache.held('big', 'e')).toBeUndefined()
    expect(cache.bytes).toBe(0)
  })

  it('keeps a pack opened before its eviction readable', () => {
    const cache = new KeptCache(500, tempDir('vega-kept-'))
    cache.keep({ key: 'a1', etag: 'e', group: 'a', file: scratchFile(400, 7) })
    const fd = openSync(cache.held('a1', 'e')!.pack, 'r')

    cache.keep({ key: 'b1', etag: 'e', group: 'b', file: scratchFile(400, 8) })

    expect(cache.held('a1', 'e')).toBeUndefined()
    const bytes = Buffer.alloc(400)
    expect(readSync(fd, bytes, 0, 400, 0)).toBe(400)
    expect(bytes.every((byte) => byte === 7)).toBe(true)
  })

  it('removes at first use the folders of processes that are gone and its own, and no one else’s', () => {
    const root = tempDir('vega-kept-')
    const gone = spawnSync(process.execPath, ['-e', '']).pid
    const own = `${process.pid}-${threadId}`
    const alive = `${process.ppid}-0`
    for (const name of [`${gone}-0`, own, alive]) {
      mkdirSync(join(root, name))
      writeFileSync(join(root, name, 'left.pack'), 'x')
    }
    const cache = new KeptCache(1_000, root)

    cache.keep({ key: 'a1', etag: 'e', group: 'a', file: scratchFile(10, 1) })

    expect(readdirSync(root).sort()).toEqual([alive, own].sort())
    expect(readdirSync(join(root, own))).toHaveLength(1)
    expect(readdirSync(join(root, alive))).toEqual(['left.pack'])
  })
})
