// The history walk of a push that builds on an earlier one: the earlier push's walk is taken as it is, and
// only the new commits are read, each against its first parent, descending only where the trees differ.
// The result is exactly `walkHistory`'s (same commits, same blobs in the same order, same paths and first
// commits) whenever the earlier walk's commits are the oldest of the new walk's, in the same order;
// otherwise (a rewritten history, clocks out of order) the whole history is walked.
import { gunzipSync, gzipSync } from 'node:zlib'
import { type BlobSighting, type HistoryWalk, peelToCommit, readCommit, readTree, walkHistory } from './checkout.js'
import { checkDeadline, GitError, noDeadline } from './errors.js'
import type { PackIndex } from './pack.js'

export interface WalkOptions {
  deadline?: number
  maxEntries?: number
}

/** The walk of `headOids`, reusing `before` where it can; says whether it did. */
export function walkHistoryAfter(
  index: PackIndex,
  headOids: string[],
  before: HistoryWalk | undefined,
  options: WalkOptions = {},
): { walk: HistoryWalk; reused: boolean } {
  const commits = orderCommits(index, headOids)
  const known = before?.commits.length ?? 0
  if (!before || known === 0 || known > commits.length || before.commits.some((oid, i) => commits[i] !== oid))
    return { walk: walkHistory(index, headOids, options), reused: false }
  const deadline = options.deadline ?? noDeadline
  const maxEntries = options.maxEntries ?? 10_000_000
  const position = new Map(commits.map((oid, i) => [oid, i]))
  // A copy: the earlier walk stays as it was, whatever happens to this one.
  const blobs = new Map([...before.blobs].map(([oid, blob]) => [oid, { ...blob, paths: [...blob.paths] }]))
  let entries = 0
  for (let c = known; c < commits.length; c++) {
    checkDeadline(deadline, 'history walk')
    const commitOid = commits[c]!
    const commit = readCommit(index, commitOid)
    // Only a parent walked before this commit says what is already recorded.
    const parentOid = commit.parents[0]
    const parent =
      parentOid !== undefined && (position.get(parentOid) ?? c) < c ? readCommit(index, parentOid) : undefined
    const pending: { oid: string; path: string; was?: string }[] = [{ oid: commit.tree, path: '', was: parent?.tree }]
    while (pending.length > 0) {
      const { oid, path, was } = pending.pop()!
      if (oid === was) continue
      const list = readTree(index, oid, path)
      entries += list.length
      if (entries > maxEntries) throw new GitError('too_large', `the history has over ${maxEntries} tree entries`)
      const previous = was ? new Map(readTree(index, was, path).map((e) => [e.name, e])) : undefined
      for (const e of list) {
        const rel = path ? `${path}/${e.name}` : e.name
        const old = previous?.get(e.name)
        if (e.kind === 'tree') {
          pending.push({ oid: e.oid, path: rel, was: old?.kind === 'tree' ? old.oid : undefined })
        } else if (e.kind !== 'submodule' && !(old && old.kind !== 'tree' && old.oid === e.oid)) {
          const seen = blobs.get(e.oid)
          if (seen) {
            if (!seen.paths.some((p) => p.path === rel)) seen.paths.push({ path: rel, commit: commitOid })
          } else {
            const info = index.get(e.oid)
            if (!info) throw new GitError('missing_object', `blob ${e.oid} at ${rel} is not in the pack`)
            blobs.set(e.oid, {
              oid: e.oid,
              size: info.size,
              firstCommit: commitOid,
              paths: [{ path: rel, commit: commitOid }],
            })
          }
        }
      }
    }
  }
  return { walk: { commits, blobs }, reused: true }
}

/** Reachable commits, oldest first by committer time, ties in reverse order of discovery (as walkHistory). */
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

/** A walk as bytes to keep beside its pack: commits by position, so each oid is written once. */
export function saveWalk(walk: HistoryWalk): Buffer {
  const position = new Map(walk.commits.map((oid, i) => [oid, i]))
  const blobs = [...walk.blobs.values()].map((blob) => [
    blob.oid,
    blob.size,
    position.get(blob.firstCommit),
    blob.paths.flatMap((place) => [place.path, position.get(place.commit)]),
  ])
  return gzipSync(JSON.stringify({ version: 1, commits: walk.commits, blobs }))
}

/** A saved walk, or undefined when the bytes are not one. */
export function loadWalk(saved: Buffer): HistoryWalk | undefined {
  try {
    const { version, commits, blobs } = JSON.parse(gunzipSync(saved).toString('utf8')) as {
      version: number
      commits: string[]
      blobs: [string, number, number, (string | number)[]][]
    }
    if (version !== 1) return undefined
    const walk: HistoryWalk = { commits, blobs: new Map() }
    for (const [oid, size, first, places] of blobs) {
      const paths: BlobSighting['paths'] = []
      for (let i = 0; i < places.length; i += 2)
        paths.push({ path: places[i] as string, commit: commits[places[i + 1] as number]! })
      walk.blobs.set(oid, { oid, size, firstCommit: commits[first]!, paths })
    }
    return walk
  } catch {
    return undefined
  }
}
