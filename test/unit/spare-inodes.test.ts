import { createHash } from 'node:crypto'
import { chmodSync, lstatSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { threadId } from 'node:worker_threads'
import { afterAll, describe, expect, it } from 'vitest'
import { checkout } from '../../shared/git/checkout.js'
import { indexPack } from '../../shared/git/pack.js'
import { type Placed, SpareInodes, type SpareLimits, sparesRoot } from '../../shared/worker/spare-inodes.js'
import { codeOf, commitAll, initRepo, packOf, removeTempDirs, tempDir, writeFiles } from '../support/git-fixtures.js'

afterAll(removeTempDirs)

/** path → a file's SHA-256, size and mode, or `dir`. */
function listing(root: string, rel = '', out = new Map<string, string>()): Map<string, string> {
  for (const name of readdirSync(join(root, rel)).sort()) {
    const path = rel ? `${rel}/${name}` : name
    const stat = lstatSync(join(root, path))
    if (stat.isDirectory()) {
      out.set(path, 'dir')
      listing(root, path, out)
    } else {
      const sum = createHash('sha256')
        .update(readFileSync(join(root, path)))
        .digest('hex')
      out.set(path, `${sum} ${stat.size} ${(stat.mode & 0o777).toString(8)}`)
    }
  }
  return out
}

const inodes = (root: string) => new Set([...listing(root).keys()].map((path) => statSync(join(root, path)).ino))

/** Two commits of different trees: the second's files are shorter than the first's, in other folders. */
function twoTrees() {
  const dir = initRepo()
  writeFiles(dir, {
    'src/app.ts': 'x'.repeat(5000),
    'src/lib/util.ts': 'y'.repeat(3000),
    'docs/a/b/readme.md': 'z'.repeat(4000),
    'bin/run.sh': '#!/bin/sh\necho run\n',
  })
  chmodSync(join(dir, 'bin/run.sh'), 0o755)
  const first = commitAll(dir, 'first')
  writeFiles(dir, {
    'other/one.py': 'print(1)\n',
    'other/deep/two.go': 'package two\n',
    'three.js': 'let three = 3\n',
  })
  const second = commitAll(dir, 'second')
  return { index: indexPack(packOf(dir)), first, second }
}

/** Spares (none yet), and the first tree checked out through them into a folder of its own. */
function firstCheckout(limits?: SpareLimits) {
  const trees = twoTrees()
  const spares = new SpareInodes(join(tempDir('vega-spares-'), 'spares'), limits)
  const placed: Placed = { files: [], folders: [] }
  const dir = tempDir('vega-spares-tree-')
  checkout(trees.index, trees.first, dir, { writer: spares.writer(dir, placed) })
  return { ...trees, spares, placed, dir }
}

/** The first tree checked out and given back: four spare files, six spare folders. */
function withSpares() {
  const first = firstCheckout()
  const used = inodes(first.dir)
  first.spares.giveBack(first.dir, first.placed)
  return { ...first, used }
}

describe('spare inodes', () => {
  it('makes the same checkout as creating every file, and keeps its files and folders emptied', () => {
    const { index, first, spares, placed, dir } = firstCheckout()

    expect(listing(dir)).toEqual(listing(checkoutCreating(index, first)))
    expect(lstatSync(join(dir, 'bin/run.sh')).mode & 0o777).toBe(0o755)
    expect(placed.files.sort()).toEqual(['bin/run.sh', 'docs/a/b/readme.md', 'src/app.ts', 'src/lib/util.ts'])

    spares.giveBack(dir, placed)

    expect(spares.counts).toEqual({ files: 4, folders: 6 })
    expect(readdirSync(dir)).toEqual([])
    for (const name of readdirSync(spares.root)) {
      const stat = lstatSync(join(spares.root, name))
      if (stat.isFile()) expect([stat.size, stat.mode & 0o777]).toEqual([0, 0o644])
      else expect(readdirSync(join(spares.root, name))).toEqual([])
    }
  })

  it("writes the next checkout into the spares, with its own bytes and nothing of the last one's", () => {
    const { index, second, spares, placed, used } = withSpares()
    const dir = tempDir('vega-spares-tree-')

    checkout(index, second, dir, { writer: spares.writer(dir, placed) })

    expect(listing(dir)).toEqual(listing(checkoutCreating(index, second)))
    // Ten files and folders were spare: the second tree (seven files, nine folders) is made of them first.
    const reused = [...inodes(dir)].filter((ino) => used.has(ino))
    expect(reused.length).toBe(10)
    expect(lstatSync(join(dir, 'three.js')).mode & 0o777).toBe(0o644)
  })

  it("keeps a worker's spares in its thread's own folder, made afresh at first use", () => {
    const own = join(sparesRoot, `${process.pid}-${threadId}`)
    writeFiles(own, { 'left-by-an-earlier-load': 'x' })
    const spares = new SpareInodes()

    expect(spares.root).toBe(own)
    expect(readdirSync(own)).toEqual([])
    rmSync(own, { recursive: true })
  })

  it('keeps no more than its limits', () => {
    const { spares, placed, dir } = firstCheckout({ files: 3, folders: 2 })

    spares.giveBack(dir, placed)

    expect(spares.counts).toEqual({ files: 3, folders: 2 })
    expect([...listing(dir).values()].filter((kind) => kind !== 'dir')).toHaveLength(1)
  })

  it('never keeps a folder holding what it did not place', () => {
    const { spares, placed, dir } = firstCheckout()
    writeFileSync(join(dir, 'docs/a/b/left.txt'), 'written by someone else')

    spares.giveBack(dir, placed)

    // bin, src and src/lib; docs, docs/a and docs/a/b stay, holding the file.
    expect(spares.counts).toEqual({ files: 4, folders: 3 })
    expect(listing(dir)).toEqual(
      new Map([
        ['docs', 'dir'],
        ['docs/a', 'dir'],
        ['docs/a/b', 'dir'],
        ['docs/a/b/left.txt', listing(dir).get('docs/a/b/left.txt')!],
      ]),
    )
  })

  it('fails a checkout onto a name already there, as creating does, and keeps the spare', () => {
    const { index, second, spares, placed } = withSpares()
    const onFile = tempDir('vega-spares-tree-')
    writeFiles(onFile, { 'three.js': 'already here' })
    const onFolder = tempDir('vega-spares-tree-')
    writeFiles(onFolder, { 'other/kept.txt': 'already here' })

    const write = (dir: string) => checkout(index, second, dir, { writer: spares.writer(dir, placed) })

    expect(codeOf(() => write(onFile))).toBe('unsafe_path')
    expect(readFileSync(join(onFile, 'three.js'), 'utf8')).toBe('already here')
    expect(codeOf(() => write(onFolder))).toBe('unsafe_path')
    expect(readFileSync(join(onFolder, 'other/kept.txt'), 'utf8')).toBe('already here')
    // Every spare file is still spare or in a tree the writer lists.
    expect(spares.counts.files + placed.files.length).toBe(4)
  })

  it('keeps a spare it could not place for want of a folder, and forgets one gone from the disk', () => {
    const { spares, placed } = withSpares()
    const dir = tempDir('vega-spares-tree-')
    const writer = spares.writer(dir, placed)

    expect(() => writer.file('no-such-folder/app.js', Buffer.from('x'), false)).toThrow(/ENOENT/)
    expect(spares.counts.files).toBe(4)

    for (const name of readdirSync(spares.root)) rmSync(join(spares.root, name), { recursive: true })
    writer.file('app.js', Buffer.from('created'), false)
    expect([spares.counts.files, readFileSync(join(dir, 'app.js'), 'utf8')]).toEqual([0, 'created'])
  })
})

function checkoutCreating(index: ReturnType<typeof indexPack>, commit: string): string {
  const dir = tempDir('vega-spares-want-')
  checkout(index, commit, dir)
  return dir
}
