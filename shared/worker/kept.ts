// What a repository keeps between scans, so the next push and scan cost what changed: the memory of
// clean blobs the engines skip (shared/scanning/reuse.ts), and the latest complete pack a scan read,
// whose tips the next push is offered as objects Vega has (a thin push sends only what is new).
import { forgetObjects, recordObjects, type StoredObjects } from '../data/repositories.js'
import type { ScanRecord } from '../data/scans.js'
import { readBundleFile } from '../git/bundle.js'
import { type CheckoutStats, type HistoryWalk, loadTrees, saveTrees } from '../git/checkout.js'
import { GitError } from '../git/errors.js'
import { loadWalk, saveWalk } from '../git/history.js'
import { loadIndex, type PackIndex, saveIndex } from '../git/pack.js'
import { FileBytes, JoinedPack, type PackBytes } from '../git/pack-bytes.js'
import type { RequestLog } from '../log.js'
import type { ScanSource } from '../scanning/engine.js'
import { CleanBlobs, KnownFindings } from '../scanning/reuse.js'
import type { PushedRef } from '../scanning/source.js'
import * as objectKeys from '../storage/object-keys.js'
import { downloadObject, getObjectIfAny, objectHead, putFile, putObject } from '../storage/objects.js'
import { keptCache } from './kept-cache.js'
import type { Scratch } from './scratch.js'

/** Commits offered as `.have`: the latest push's refs first, then those its pack built on. */
const maxTips = 32

const cleanBlobsKey = (scan: ScanRecord) => objectKeys.cleanBlobs(scan.workspace_id, scan.repository_id)

const codeFindingsKey = (scan: ScanRecord) => objectKeys.codeFindings(scan.workspace_id, scan.repository_id)

/** The repository's memory: blobs found clean, and the code engine's findings per blob. */
export async function recallCleanBlobs(scan: ScanRecord): Promise<CleanBlobs> {
  const [clean, codeFindings] = await Promise.all([
    getObjectIfAny(cleanBlobsKey(scan)),
    getObjectIfAny(codeFindingsKey(scan)),
  ])
  const memory = new CleanBlobs(clean)
  memory.findings = new KnownFindings(codeFindings)
  return memory
}

/** Where something a repository kept came from: this worker's memory or disk, or the bucket. */
export type KeptSource = 'held' | 'downloaded'

/**
 * The history walks and head trees this worker's latest scans kept, by their keys: the next scan of the
 * same repository on a warm worker takes them from memory instead of downloading and parsing them again.
 * A key names one scan's object, never rewritten; a walk is copied before a scan extends it, and trees are
 * only read. The latest two of each (a repository's two latest pushes, as for the pack copies), and only a
 * walk small enough to keep beside the next scan.
 */
const recent = { walks: new Map<string, HistoryWalk>(), trees: new Map<string, CheckoutStats['trees']>() }
const recentCount = 2
const recentMaxBlobs = 200_000

function remember<T>(held: Map<string, T>, key: string, value: T): void {
  held.delete(key)
  held.set(key, value)
  for (const old of held.keys()) if (held.size > recentCount) held.delete(old)
}

/** Forgets everything this worker holds of earlier scans, as a cold worker starts. */
export function forgetHeld(): void {
  recent.walks.clear()
  recent.trees.clear()
  keptCache.clear()
}

/** The history walk of the push the scan's pack builds on, if one was saved. */
export async function recallWalk(scan: ScanRecord): Promise<{ walk?: HistoryWalk; from?: KeptSource }> {
  const key = scan.input.base?.walk_key
  if (!key) return {}
  const held = recent.walks.get(key)
  if (held) return { walk: held, from: 'held' }
  const saved = await getObjectIfAny(key)
  return { walk: saved && loadWalk(saved), from: 'downloaded' }
}

/** The trees of the head of the push the scan's pack builds on, if they were saved. */
export async function recallTrees(scan: ScanRecord): Promise<{ trees?: CheckoutStats['trees']; from?: KeptSource }> {
  const key = scan.input.base?.trees_key
  if (!key) return {}
  const held = recent.trees.get(key)
  if (held) return { trees: held, from: 'held' }
  const saved = await getObjectIfAny(key)
  return { trees: saved && loadTrees(saved), from: 'downloaded' }
}

/**
 * A thin pack made whole with the repository's earlier pack it was built against, and that pack's saved
 * index (so only the new objects are indexed). The earlier pack is this worker's copy when it holds one
 * of the very object the bucket holds (shared/worker/kept-cache.ts), else downloaded into the scratch
 * folder. A pack no longer held (expired, or its repository's objects were replaced) is forgotten, so the
 * next push is sent whole.
 */
export async function wholePack(
  scan: ScanRecord,
  thin: PackBytes,
  scratch: Scratch,
): Promise<{ pack: JoinedPack; known?: PackIndex; from: KeptSource }> {
  const base = scan.input.base
  const opened = base && (await openKept(base, scratch))
  if (!opened) {
    if (base) await forgetObjects(scan.repository_id, base.key)
    throw new GitError(
      'missing_base',
      'the push builds on objects of an earlier push that Vega no longer holds; push again (it is then sent whole)',
    )
  }
  const { pack, index, from } = opened
  // An index that is not this pack's (or none) only costs indexing the whole pack.
  return { pack: new JoinedPack(pack, thin), known: index && loadIndex(pack, index), from }
}

type KeptObjects = NonNullable<ScanRecord['input']['base']>

/** The kept pack, opened, and its saved index; undefined when the bucket no longer holds it. */
async function openKept(
  base: KeptObjects,
  scratch: Scratch,
): Promise<{ pack: PackBytes; index?: Buffer; from: KeptSource } | undefined> {
  const open = (path: string) =>
    scratch.opened(base.kind === 'bundle' ? readBundleFile(path).pack : new FileBytes(path))
  const savedIndex = () => (base.index_key ? getObjectIfAny(base.index_key) : Promise.resolve(undefined))
  if (keptCache.etagOf(base.key)) {
    const head = await objectHead(base.key)
    if (!head) return undefined
    const copy = head.etag ? keptCache.held(base.key, head.etag) : undefined
    if (copy)
      try {
        return { pack: open(copy.pack), index: copy.index ?? (await savedIndex()), from: 'held' }
      } catch {
        keptCache.forget(base.key)
      }
  }
  const stored = scratch.path('base')
  const [found, index] = await Promise.all([downloadObject(base.key, stored), savedIndex()])
  return found && { pack: open(stored), index, from: 'downloaded' }
}

/** What the scan read, for what it keeps once it succeeded. */
export interface ReadInput {
  source: ScanSource & { bytes: number; commits: number; index?: PackIndex; checkout?: CheckoutStats }
  refs: PushedRef[]
  /** The pushed pack or bundle as downloaded (absent for an archive), and its ETag. */
  input?: { path: string; etag?: string }
  /** The thin pack made whole, when it was one: written to a file and kept once the scan is recorded. */
  whole?: { pack: JoinedPack; path: string }
}

/**
 * After the scan's outcome is recorded: the memory of clean blobs, and the complete pack as the
 * repository's objects. Either one failing to save costs the next push or scan time, nothing else.
 */
export async function keepForNextScan(scan: ScanRecord, read: ReadInput, log: RequestLog): Promise<void> {
  const { source } = read
  const kept: Promise<unknown>[] = []
  if (source.reuse)
    kept.push(
      putObject(cleanBlobsKey(scan), source.reuse.serialize()),
      putObject(codeFindingsKey(scan), source.reuse.findings.serialize(), 'application/gzip'),
    )
  if (source.index) kept.push(keepObjects(scan, read, source.index, log))
  for (const outcome of await Promise.allSettled(kept))
    if (outcome.status === 'rejected')
      log.warn('what the repository keeps for its next scan was not saved', {
        scan_id: scan.id,
        error: String(outcome.reason),
      })
}

/**
 * The complete pack (the pushed one, or a thin one made whole) and its index, for the next push; once
 * recorded, this worker keeps a copy of the pack too.
 */
async function keepObjects(scan: ScanRecord, read: ReadInput, index: PackIndex, log: RequestLog) {
  const { refs, whole, input, source } = read
  const tips = [...new Set([...refs.map((ref) => ref.oid), ...(whole ? (scan.input.base?.tips ?? []) : [])])]
  const indexKey = objectKeys.packIndex(scan.workspace_id, scan.repository_id, scan.id)
  const walkKey = objectKeys.historyWalk(scan.workspace_id, scan.repository_id, scan.id)
  const treesKey = source.checkout && objectKeys.headTrees(scan.workspace_id, scan.repository_id, scan.id)
  const recorded = {
    tips: tips.slice(0, maxTips),
    index_key: indexKey,
    walk_key: walkKey,
    ...(treesKey ? { trees_key: treesKey } : {}),
    scan_id: scan.id,
  }
  const wholeKey = objectKeys.wholePack(scan.workspace_id, scan.repository_id, scan.id)
  const savedIndex = saveIndex(index)
  const [wholeTag] = await Promise.all([
    whole ? keepWhole(wholeKey, whole) : undefined,
    putObject(indexKey, savedIndex),
    putObject(walkKey, saveWalk(source.history)),
    treesKey && source.checkout ? putObject(treesKey, saveTrees(source.checkout.trees)) : undefined,
  ])
  const objects: StoredObjects = whole
    ? { key: wholeKey, kind: 'pack', stored_at: new Date().toISOString(), ...recorded }
    : {
        key: scan.input.key,
        kind: scan.input.kind === 'bundle' ? 'bundle' : 'pack',
        stored_at: scan.created_at,
        ...recorded,
      }
  if (!(await recordObjects(scan.repository_id, objects))) return
  if (source.history.blobs.size <= recentMaxBlobs) remember(recent.walks, walkKey, source.history)
  if (treesKey && source.checkout) remember(recent.trees, treesKey, source.checkout.trees)
  const copy = whole ? { file: whole.path, etag: wholeTag } : { file: input?.path, etag: input?.etag }
  if (!copy.file || !copy.etag) return
  try {
    keptCache.keep({ key: objects.key, etag: copy.etag, group: scan.repository_id, file: copy.file, index: savedIndex })
  } catch (error) {
    // The next push of the repository downloads its pack, as on a cold worker.
    log.warn('the kept pack was not copied on this worker', { scan_id: scan.id, error: String(error) })
  }
}

/** The joined pack written out (its checksum computed here, after the findings), then uploaded; its ETag. */
async function keepWhole(key: string, whole: { pack: JoinedPack; path: string }): Promise<string | undefined> {
  whole.pack.writeTo(whole.path)
  return putFile(key, whole.path, 'application/x-git-packed-objects')
}
