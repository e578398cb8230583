// The history walk of a push that builds on an earlier one: the earlier push's walk is taken as it is, and
// only the new commits are read, each against its first parent, descending only where the trees differ.
// The result is exactly `walkHistory`'s (same commits, same blobs in the same order, same paths and first
// commits) whenever the earlier walk's commits are the oldest of the new walk's, in the same order;
// otherwise (a rewritten history, clocks out of order) the whole history is walked.
import { gunzipSync, gzipSync } from 'node:zlib'
import {
  type BlobSighting,
  type HistoryWalk,
  maxWalkEntries,
  orderCommits,
  readCommit,
  readTree,
  recordSighting,
  type WalkOptions,
  walkHistory,
} from './checkout.js'
import { checkDeadline, GitError, noDeadline } from './errors.js'
import type { PackIndex } from './pack.js'

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
  const maxEntries = options.maxEntries ?? maxWalkEntries
  const position = new Map(commits.map((oid, i) => [oid, i]))
  // The earlier walk stays as it was, whatever happens to this one: its sightings are shared, and one the
  // new commits add a path to is copied first (copying every sighting cost more than the rest of the walk).
  const blobs = new Map(before.blobs)
  const copied = new Set<string>()
  const sighting = (oid: string, path: string, commit: string) => {
    const earlier = blobs.get(oid)
    if (earlier && !copied.has(oid)) blobs.set(oid, { ...earlier, paths: [...earlier.paths] })
    copied.add(oid)
    recordSighting(index, blobs, oid, path, commit)
  }
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
          sighting(e.oid, rel, commitOid)
        }
      }
    }
  }
  return { walk: { commits, blobs }, reused: true }
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
