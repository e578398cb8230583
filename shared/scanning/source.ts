// Turns a pushed pack into what engines read: the head's files (those an engine parses from disk written
// into a folder, every other one read from the pack), and the history's blobs. Pure: bytes and a folder
// in, a ScanSource out.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { type CheckoutStats, checkout, type HistoryWalk, type TreeFile, type TreeWriter } from '../git/checkout.js'
import { GitError } from '../git/errors.js'
import { walkHistoryAfter } from '../git/history.js'
import type { TreeEntry } from '../git/objects.js'
import { indexPack, type PackIndex } from '../git/pack.js'
import { FileBytes, type PackBytes } from '../git/pack-bytes.js'
import { walkOnThread } from '../git/walk-thread.js'
import { type ArchiveFormat, type ArchiveLimits, type ArchiveStats, extractArchive } from './archive.js'
import { inShare, type ScanSource, type Shard } from './engine.js'
import { languageToParse } from './engines/code/runner.js'
import type { CleanBlobs } from './reuse.js'

export interface PushedRef {
  ref: string
  oid: string
}

/** The commit a ref names, through annotated tags. */
function peel(index: PackIndex, oid: string): string {
  for (let depth = 0; depth < 10; depth++) {
    const object = index.read(oid)
    if (object.type === 'commit') return oid
    if (object.type !== 'tag') throw new GitError('bad_object', `${oid} is a ${object.type}, not a commit`)
    oid = /^object ([0-9a-f]{40})$/m.exec(object.content.toString('utf8'))?.[1] ?? ''
  }
  throw new GitError('bad_object', 'a tag chain is too long')
}

/** The branch to check out: the repository's default branch if pushed, else the first branch, else a tag. */
export function headOf(refs: PushedRef[], defaultBranch: string): PushedRef {
  const head =
    refs.find((ref) => ref.ref === `refs/heads/${defaultBranch}`) ??
    refs.find((ref) => ref.ref.startsWith('refs/heads/')) ??
    refs[0]
  if (!head) throw new GitError('bad_object', 'the push named no ref')
  return head
}

/** What earlier scans of the repository left for this one (shared/worker/kept.ts). */
export interface EarlierScans {
  /** The memory of clean blobs: the checkout writes none the code engine knows clean. */
  reuse?: CleanBlobs
  /** The saved index of a pack this one begins with (a thin push made whole): only the rest is indexed. */
  known?: PackIndex
  /** The pack is known whole (a thin push joined with the kept pack): its checksum is not checked. */
  verified?: boolean
  /** The history walk of the push that pack held: only the commits after it are walked. */
  walked?: HistoryWalk
  /** The trees of that push's head: the checkout reads only the trees not among them. */
  trees?: ReadonlyMap<string, readonly TreeEntry[]>
  /** The shard this source is read for: the checkout writes only the files its code engine parses. */
  shard?: Shard
  /** Makes the checkout's files (the worker's takes spare ones its earlier scans left); by default, creates them. */
  writer?: TreeWriter
}

/** A pack from this size up has its history walked on a thread of its own while the checkout runs. */
export const walkThreadFromBytes = 32 * 1024 ** 2

export async function prepareSource(
  pack: PackBytes,
  refs: PushedRef[],
  defaultBranch: string,
  dir: string,
  deadline: number,
  earlier: EarlierScans = {},
  { walkThreadFrom = walkThreadFromBytes } = {},
): Promise<ScanSource & { checkout: CheckoutStats; bytes: number; commits: number; index: PackIndex }> {
  const { reuse, known, walked, verified, trees, shard, writer } = earlier
  const index = indexPack(pack, { deadline, known, verified })
  const tips = [...new Set(refs.map((ref) => peel(index, ref.oid)))]
  const head = peel(index, headOf(refs, defaultBranch).oid)
  // A whole history of a large pack read from a file: walked on a thread while this one checks out.
  const walking =
    !walked && pack instanceof FileBytes && pack.length >= walkThreadFrom
      ? walkOnThread(index as PackIndex & { pack: FileBytes }, tips, { deadline })
      : undefined
  let stats: CheckoutStats
  let history: HistoryWalk
  try {
    stats = checkout(index, head, dir, { deadline, writeIf: filesEnginesRead(reuse, shard), trees, writer })
    history = walking ? await walking.walk : walkHistoryAfter(index, tips, walked, { deadline }).walk
  } finally {
    await walking?.stop()
  }
  const readBlob = (oid: string) => index.read(oid).content
  return {
    root: dir,
    files: stats.listed.map(({ path, size, oid }) => ({ path, size, oid })).sort(byPath),
    read: headReader(dir, stats.listed, readBlob),
    history,
    readBlob,
    deadline,
    reuse,
    checkout: stats,
    bytes: stats.bytes,
    commits: history.commits.length,
    index,
  }
}

/**
 * The head files the checkout writes: those an engine reads from disk. Only the code engine does
 * (ast-grep parses files by path), and it skips a file the memory knows clean, so that one is not
 * written either, nor one another shard parses. Every other read of a head file goes through the
 * source's `read`.
 */
export function filesEnginesRead(reuse?: CleanBlobs, shard?: Shard): (file: TreeFile) => boolean {
  return (file) =>
    languageToParse(file) !== undefined &&
    (!shard || inShare(file.path, shard)) &&
    !reuse?.knows('code', file.oid, file.path)
}

/** A head file's bytes: from the folder when the checkout wrote it, else from the pack. */
function headReader(
  dir: string,
  listed: CheckoutStats['listed'],
  readBlob: (oid: string) => Buffer,
): (path: string) => Buffer {
  const files = new Map(listed.map((file) => [file.path, file]))
  return (path) => {
    const file = files.get(path)
    if (!file) throw new Error(`${JSON.stringify(path)} is not a file of the head`)
    return file.written ? readFileSync(join(dir, path)) : readBlob(file.oid)
  }
}

const byPath = (a: { path: string }, b: { path: string }) => a.path.localeCompare(b.path)

/** An archive unpacked into a folder: files only, no history. */
export async function prepareArchiveSource(
  archive: Buffer,
  format: ArchiveFormat,
  dir: string,
  limits: ArchiveLimits,
): Promise<ScanSource & { archive: ArchiveStats; bytes: number; commits: number }> {
  const stats = await extractArchive(archive, format, dir, limits)
  return {
    root: dir,
    files: listFiles(dir),
    read: (path) => readFileSync(join(dir, path)),
    history: { commits: [], blobs: new Map() },
    readBlob: (oid) => {
      throw new Error(`an archive has no git objects (asked for ${oid})`)
    },
    deadline: limits.deadline,
    archive: stats,
    bytes: stats.bytes,
    commits: 0,
  }
}

/** A folder on disk as it is (the local scan command): its files, no history. */
export function prepareFolderSource(root: string, deadline: number, files = listFiles(root)): ScanSource {
  return {
    root,
    files,
    read: (path) => readFileSync(join(root, path)),
    history: { commits: [], blobs: new Map() },
    readBlob: (oid) => {
      throw new Error(`a folder has no git objects (asked for ${oid})`)
    },
    deadline,
  }
}

/** Every regular file under a folder (never through a link; `.git/` left out), relative and sorted. */
export function listFiles(root: string): { path: string; size: number }[] {
  const files: { path: string; size: number }[] = []
  const pending = [root]
  while (pending.length) {
    const dir = pending.pop()!
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) {
        if (entry.name !== '.git') pending.push(path)
      } else if (entry.isFile()) files.push({ path: relative(root, path), size: statSync(path).size })
    }
  }
  return files.sort(byPath)
}
