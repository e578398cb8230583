// Commit and tree parsing (git Documentation/gitformat-commit and fsck's view of trees).
import { GitError } from './errors.js'

export interface Signature {
  name: string
  email: string
  /** Seconds since the epoch. */
  time: number
  timezone: string
}

export interface Commit {
  tree: string
  parents: string[]
  author: Signature | undefined
  committer: Signature | undefined
  message: string
}

export type EntryKind = 'file' | 'executable' | 'symlink' | 'tree' | 'submodule'

export interface TreeEntry {
  mode: string
  kind: EntryKind
  name: string
  oid: string
}

const oidPattern = /^[0-9a-f]{40}$/

function parseSignature(value: string): Signature | undefined {
  const m = /^(.*) <(.*)> (-?\d+) ([+-]\d{4})$/.exec(value)
  if (!m) return undefined
  return { name: m[1]!, email: m[2]!, time: Number(m[3]), timezone: m[4]! }
}

export function parseCommit(content: Buffer): Commit {
  const text = content.toString('utf8')
  const split = text.indexOf('\n\n')
  const head = split === -1 ? text : text.slice(0, split)
  const commit: Commit = { tree: '', parents: [], author: undefined, committer: undefined, message: '' }
  commit.message = split === -1 ? '' : text.slice(split + 2)
  for (const line of head.split('\n')) {
    // Continuation lines (gpgsig, mergetag) start with a space and belong to the header above.
    if (line.startsWith(' ')) continue
    const space = line.indexOf(' ')
    const key = line.slice(0, space)
    const value = line.slice(space + 1)
    if (key === 'tree') commit.tree = value
    else if (key === 'parent') commit.parents.push(value)
    else if (key === 'author') commit.author = parseSignature(value)
    else if (key === 'committer') commit.committer = parseSignature(value)
  }
  if (!oidPattern.test(commit.tree) || !commit.parents.every((p) => oidPattern.test(p))) {
    throw new GitError('bad_object', 'commit has no valid tree or parent line')
  }
  return commit
}

export function entryKind(mode: string): EntryKind {
  const m = Number.parseInt(mode, 8)
  // Old git wrote 100664 and friends; git itself reads any 100xxx as a file, executable when any x bit is set.
  if ((m & 0o170000) === 0o100000) return m & 0o111 ? 'executable' : 'file'
  if (m === 0o120000) return 'symlink'
  if (m === 0o040000) return 'tree'
  if (m === 0o160000) return 'submodule'
  throw new GitError('bad_object', `tree entry has unknown mode ${mode}`)
}

export function parseTree(content: Buffer): TreeEntry[] {
  const entries: TreeEntry[] = []
  let p = 0
  while (p < content.length) {
    const space = content.indexOf(0x20, p)
    const nul = space === -1 ? -1 : content.indexOf(0, space + 1)
    if (space === -1 || nul === -1 || nul + 21 > content.length) {
      throw new GitError('bad_object', 'tree is truncated')
    }
    const mode = content.toString('latin1', p, space)
    if (!/^[0-7]{5,6}$/.test(mode)) throw new GitError('bad_object', `tree entry has bad mode ${mode}`)
    const name = content.toString('utf8', space + 1, nul)
    const oid = content.toString('hex', nul + 1, nul + 21)
    entries.push({ mode, kind: entryKind(mode), name, oid })
    p = nul + 21
  }
  return entries
}
