// Turns a pushed pack into what engines read: the head checked out into a folder, and the history's
// blobs. Pure: bytes and a folder in, a ScanSource out.
import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { type CheckoutStats, checkout, walkHistory } from '../git/checkout.js'
import { GitError } from '../git/errors.js'
import { indexPack, type PackIndex } from '../git/pack.js'
import { type ArchiveFormat, type ArchiveLimits, type ArchiveStats, extractArchive } from './archive.js'
import type { ScanSource } from './engine.js'

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

export function prepareSource(
  pack: Buffer,
  refs: PushedRef[],
  defaultBranch: string,
  dir: string,
  deadline: number,
): ScanSource & { checkout: CheckoutStats; bytes: number; commits: number } {
  const index = indexPack(pack, { deadline })
  const tips = refs.map((ref) => peel(index, ref.oid))
  const head = peel(index, headOf(refs, defaultBranch).oid)
  const stats = checkout(index, head, dir, { deadline })
  const history = walkHistory(index, [...new Set(tips)], { deadline })
  return {
    root: dir,
    files: listFiles(dir).map((file) => ({ ...file, oid: stats.oids.get(file.path) })),
    history,
    readBlob: (oid) => index.read(oid).content,
    deadline,
    checkout: stats,
    bytes: stats.bytes,
    commits: history.commits.length,
  }
}

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
  return files.sort((a, b) => a.path.localeCompare(b.path))
}
