// Writes a commit's tree to a folder and lists the blobs of a history, never trusting a name in a tree.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { checkDeadline, GitError, noDeadline, type TimeBudget } from './errors.js'
import { type Commit, entryKind, parseCommit, parseTree, type TreeEntry } from './objects.js'
import type { PackIndex } from './pack.js'

export interface CheckoutLimits extends TimeBudget {
  maxFiles: number
  maxBytes: number
}

export const defaultCheckoutLimits = (): CheckoutLimits => ({
  maxFiles: 200_000,
  maxBytes: 2 * 1024 ** 3,
  deadline: noDeadline,
})

/** A regular file of the tree, listed whether or not the checkout wrote it. */
export interface TreeFile {
  path: string
  size: number
  /** The blob it holds: what incremental scanning remembers results by. */
  oid: string
}

export interface CheckoutOptions extends Partial<CheckoutLimits> {
  /**
   * Which files to write (and the folders they need); the others are only listed. By default every file,
   * and the empty folder git leaves for each submodule.
   */
  writeIf?: (file: TreeFile) => boolean
  /**
   * Trees an earlier checkout read (`CheckoutStats.trees`), by oid: one the pack holds is taken as listed
   * there instead of inflated again. A push that changed a few files reads only the trees above them.
   */
  trees?: ReadonlyMap<string, readonly TreeEntry[]>
  /** How files and folders are made; by default created in the folder (`creatingWriter`). */
  writer?: TreeWriter
}

/**
 * Makes the checkout's files and folders, by paths relative to its folder. Making a file where anything
 * already is fails (EEXIST), and nothing already there is followed.
 */
export interface TreeWriter {
  file(path: string, content: Buffer, executable: boolean): void
  folder(path: string): void
}

/** Creates every file and folder. `wx` never replaces or follows anything already there. */
export const creatingWriter = (dir: string): TreeWriter => ({
  file: (path, content, executable) =>
    writeFileSync(join(dir, path), content, { flag: 'wx', mode: executable ? 0o755 : 0o644 }),
  folder: (path) => mkdirSync(join(dir, path)),
})

export interface CheckoutStats {
  /** Every regular file of the tree, written or not: the limits count them all. */
  files: number
  bytes: number
  /** Symlinks are listed, never created, so nothing later can write or read through one. */
  symlinks: { path: string; target: string }[]
  submodules: { path: string; oid: string }[]
  /** The blob each file holds, by path, written or not. */
  oids: Map<string, string>
  /** Every regular file of the tree in the order met, and whether it was written. */
  listed: (TreeFile & { written: boolean })[]
  /** Every tree of the commit, by oid, as read (for the next checkout's `trees`). */
  trees: Map<string, readonly TreeEntry[]>
}

/** Refuses any name git's own fsck would, plus `.git` in any case, so the checkout stays inside its folder. */
export function assertSafeName(name: string, parent: string): void {
  const path = parent ? `${parent}/${name}` : name
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    throw new GitError('unsafe_path', `tree entry ${JSON.stringify(path)} is not a safe file name`)
  }
  if (name.toLowerCase() === '.git') throw new GitError('unsafe_path', `tree entry ${JSON.stringify(path)} is .git`)
  if (name.includes('\uFFFD')) throw new GitError('unsafe_path', `tree entry ${JSON.stringify(path)} is not UTF-8`)
}

export function readTree(index: PackIndex, oid: string, path: string): TreeEntry[] {
  const { type, content } = index.read(oid)
  if (type !== 'tree') throw new GitError('bad_object', `${path || 'the root'} is a ${type}, not a tree`)
  return checkNames(parseTree(content), path)
}

/** A tree's entries, each name safe and listed once. */
function checkNames(entries: TreeEntry[], path: string): TreeEntry[] {
  const seen = new Set<string>()
  for (const e of entries) {
    assertSafeName(e.name, path)
    if (seen.has(e.name)) throw new GitError('unsafe_path', `tree ${path || '/'} lists ${e.name} twice`)
    seen.add(e.name)
  }
  return entries
}

/** Follows annotated tags (a bundle's or a push's tag refs) down to the commit. */
export function peelToCommit(index: PackIndex, oid: string): string {
  for (let depth = 0; depth < 10; depth++) {
    const { type, content } = index.read(oid)
    if (type === 'commit') return oid
    const target = type === 'tag' ? /^object ([0-9a-f]{40})$/m.exec(content.toString('latin1'))?.[1] : undefined
    if (!target) throw new GitError('bad_object', `${oid} is a ${type}, not a commit`)
    oid = target
  }
  throw new GitError('bad_object', `tag ${oid} nests too deep`)
}

export function readCommit(index: PackIndex, oid: string): Commit {
  const { type, content } = index.read(oid)
  if (type !== 'commit') throw new GitError('bad_object', `${oid} is a ${type}, not a commit`)
  return parseCommit(content)
}

/** A name the file system refuses (too long, too deep) is the tree's fault, not a reason to retry. */
function write(rel: string, action: () => void): void {
  try {
    action()
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENAMETOOLONG' || code === 'EEXIST' || code === 'EILSEQ') {
      throw new GitError('unsafe_path', `cannot write ${JSON.stringify(rel.slice(0, 200))}: ${code}`)
    }
    throw err
  }
}

/**
 * Writes the files of a commit's tree that `writeIf` selects and lists every one. Every entry is checked
 * (names, kinds, objects, the limits over the whole tree, the time budget), written or not.
 */
export function checkout(
  index: PackIndex,
  commitOid: string,
  dir: string,
  options: CheckoutOptions = {},
): CheckoutStats {
  const { writeIf, trees: earlier, writer = creatingWriter(dir), ...limitOptions } = options
  const limits = { ...defaultCheckoutLimits(), ...limitOptions }
  const stats: CheckoutStats = {
    files: 0,
    bytes: 0,
    symlinks: [],
    submodules: [],
    oids: new Map(),
    listed: [],
    trees: new Map(),
  }
  const folders = folderMaker(writer)
  const { tree } = readCommit(index, peelToCommit(index, commitOid))
  const pending: { oid: string; path: string }[] = [{ oid: tree, path: '' }]
  let trees = 0
  while (pending.length > 0) {
    const { oid, path } = pending.pop()!
    const listed = (earlier?.has(oid) && index.has(oid) && earlier.get(oid)) || readTree(index, oid, path)
    stats.trees.set(oid, listed)
    for (const e of listed) {
      checkDeadline(limits.deadline, 'checkout')
      const rel = path ? `${path}/${e.name}` : e.name
      if (e.kind === 'tree' || e.kind === 'submodule') {
        // Folders count too: trees that share subtrees can fan out into millions of empty folders.
        if (++trees > limits.maxFiles) throw new GitError('too_large', `the tree has over ${limits.maxFiles} folders`)
        if (e.kind === 'tree') pending.push({ oid: e.oid, path: rel })
        else {
          stats.submodules.push({ path: rel, oid: e.oid })
          // git leaves an empty folder where a submodule would be checked out; its commit is not in the pack.
          if (!writeIf) folders.make(rel)
        }
      } else if (e.kind === 'symlink') {
        stats.symlinks.push({ path: rel, target: index.read(e.oid).content.toString('utf8') })
      } else {
        const file = { path: rel, size: blobSize(index, e.oid, rel), oid: e.oid }
        stats.files++
        stats.bytes += file.size
        if (stats.files > limits.maxFiles) throw new GitError('too_large', `the tree has over ${limits.maxFiles} files`)
        if (stats.bytes > limits.maxBytes) throw new GitError('too_large', `the tree is over ${limits.maxBytes} bytes`)
        const written = writeIf?.(file) ?? true
        if (written) {
          folders.make(path)
          const content = index.read(e.oid).content
          write(rel, () => writer.file(rel, content, e.kind === 'executable'))
        }
        stats.oids.set(rel, e.oid)
        stats.listed.push({ ...file, written })
      }
    }
  }
  return stats
}

/** Trees as bytes to keep beside a pack (gzipped JSON: each oid, then its entries' modes, names and oids). */
export function saveTrees(trees: ReadonlyMap<string, readonly TreeEntry[]>): Buffer {
  const listed = [...trees].map(([oid, entries]) => [oid, entries.flatMap((e) => [e.mode, e.name, e.oid])])
  return gzipSync(JSON.stringify({ version: 1, trees: listed }))
}

/**
 * Saved trees, or undefined when the bytes are not any (or list a name no read of a tree would pass).
 * The checkout takes only the trees the pack holds.
 */
export function loadTrees(saved: Buffer): Map<string, readonly TreeEntry[]> | undefined {
  try {
    const { version, trees } = JSON.parse(gunzipSync(saved).toString('utf8')) as {
      version: number
      trees: [string, string[]][]
    }
    if (version !== 1) return undefined
    const loaded = new Map<string, readonly TreeEntry[]>()
    for (const [oid, flat] of trees) {
      const entries: TreeEntry[] = []
      for (let i = 0; i + 2 < flat.length; i += 3)
        entries.push({ mode: flat[i]!, kind: entryKind(flat[i]!), name: flat[i + 1]!, oid: flat[i + 2]! })
      loaded.set(oid, checkNames(entries, oid))
    }
    return loaded
  } catch {
    return undefined
  }
}

/** A blob's size from the pack's index, without inflating it: a file left unwritten costs no read. */
function blobSize(index: PackIndex, oid: string, path: string): number {
  const object = index.get(oid)
  if (!object) throw new GitError('missing_object', `object ${oid} is not in the pack`)
  if (object.type !== 'blob') throw new GitError('bad_object', `${path} is a ${object.type}, not a blob`)
  return object.size
}

/** Makes a folder (and its parents) the first time a written file needs it. */
function folderMaker(writer: TreeWriter) {
  const made = new Set([''])
  const make = (path: string): void => {
    if (made.has(path)) return
    const slash = path.lastIndexOf('/')
    make(slash < 0 ? '' : path.slice(0, slash))
    write(path, () => writer.folder(path))
    made.add(path)
  }
  return { make }
}

export interface BlobSighting {
  oid: string
  size: number
  /** The earliest commit (by committer time) whose tree holds the blob. */
  firstCommit: string
  /** Every path the blob appears at, each with the first commit that has it there. */
  paths: { path: string; commit: string }[]
}

export interface HistoryWalk {
  /** Reachable commits, oldest first; parents outside the pack (a shallow push) end the walk there. */
  commits: string[]
  blobs: Map<string, BlobSighting>
}

/**
 * Every blob reachable from the heads, once, with where it appears. A (tree, path) pair already walked is skipped,
 * so the work grows with what the history changes, not with commits × files.
 */
/** Tree entries a walk visits at most: bounds a history of trees that share subtrees under many paths. */
export const maxWalkEntries = 10_000_000

export interface WalkOptions {
  deadline?: number
  maxEntries?: number
}

export function walkHistory(index: PackIndex, headOids: string[], options: WalkOptions = {}): HistoryWalk {
  const deadline = options.deadline ?? noDeadline
  const maxEntries = options.maxEntries ?? maxWalkEntries
  let entries = 0
  const commits = orderCommits(index, headOids)
  const blobs = new Map<string, BlobSighting>()
  const walked = new Set<string>()
  for (const commitOid of commits) {
    checkDeadline(deadline, 'history walk')
    const pending = [{ oid: readCommit(index, commitOid).tree, path: '' }]
    while (pending.length > 0) {
      const { oid, path } = pending.pop()!
      const key = `${oid} ${path}`
      if (walked.has(key)) continue
      walked.add(key)
      const list = readTree(index, oid, path)
      entries += list.length
      if (entries > maxEntries) throw new GitError('too_large', `the history has over ${maxEntries} tree entries`)
      for (const e of list) {
        const rel = path ? `${path}/${e.name}` : e.name
        if (e.kind === 'tree') pending.push({ oid: e.oid, path: rel })
        else if (e.kind !== 'submodule') recordSighting(index, blobs, e.oid, rel, commitOid)
      }
    }
  }
  return { commits, blobs }
}

/**
 * Reachable commits, oldest first by committer time, so "first commit" means the one that introduced a
 * blob; ties in reverse order of discovery. Parents outside the pack (a shallow push) end the walk there.
 */
export function orderCommits(index: PackIndex, headOids: string[]): string[] {
  const found = new Map<string, { time: number; order: number }>()
  const queue = headOids.map((oid) => peelToCommit(index, oid))
  for (let q = 0; q < queue.length; q++) {
    const oid = queue[q]!
    if (found.has(oid)) continue
    const commit = readCommit(index, oid)
    found.set(oid, { time: commit.committer?.time ?? 0, order: q })
    for (const p of commit.parents) if (!found.has(p) && index.has(p)) queue.push(p)
  }
  return [...found.entries()].sort(([, a], [, b]) => a.time - b.time || b.order - a.order).map(([oid]) => oid)
}

/** A blob seen at a path in a commit: a new blob, or a new path of one (the first commit there wins). */
export function recordSighting(
  index: PackIndex,
  blobs: Map<string, BlobSighting>,
  oid: string,
  path: string,
  commit: string,
): void {
  const seen = blobs.get(oid)
  if (seen) {
    if (!seen.paths.some((p) => p.path === path)) seen.paths.push({ path, commit })
    return
  }
  const info = index.get(oid)
  if (!info) throw new GitError('missing_object', `blob ${oid} at ${path} is not in the pack`)
  blobs.set(oid, { oid, size: info.size, firstCommit: commit, paths: [{ path, commit }] })
}
