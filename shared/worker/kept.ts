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
 * A thin pack made whole with the repository's earlier complete pack it was built against (the kept pack
 * and the thin packs kept as its parts since), and that pack's saved index (so only the new objects are
 * indexed). The kept pack is this worker's copy when it holds one of the very object the bucket holds
 * (shared/worker/kept-cache.ts), else downloaded into the scratch folder, as the parts are. A pack no
 * longer held (expired, or its repository's objects were replaced) is forgotten, so the next push is sent
 * whole.
 */
export async function wholePack(
  scan: ScanRecord,
  thin: PackBytes,
  scratch: Scratch,
): Promise<{ pack: JoinedPack; known?: PackIndex; from: KeptSource; partBytes: number }> {
  const base = scan.input.base
  const opened = base && (await openKept(base, scratch))
  if (!opened) {
    if (base) await forgetObjects(scan.repository_id, base.key)
    throw new GitError(
      'missing_base',
      'the push builds on objects of an earlier push that Vega no longer holds; push again (it is then sent whole)',
    )
  }
  const { pack, parts, index, from } = opened
  const earlier = parts.length > 0 ? new JoinedPack(pack, ...parts) : pack
  return {
    pack: new JoinedPack(pack, ...parts, thin),
    // An index that is not this pack's (or none) only costs indexing the whole pack.
    known: index && loadIndex(earlier, index),
    from,
    partBytes: [...parts, thin].reduce((sum, part) => sum + part.length, 0),
  }
}

type KeptObjects = NonNullable<ScanRecord['input']['base']>

/** The kept pack and its parts, opened, and its saved index; undefined when the bucket no longer holds them. */
async function openKept(
  base: KeptObjects,
  scratch: Scratch,
): Promise<{ pack: PackBytes; parts: PackBytes[]; index?: Buffer; from: KeptSource } | undefined> {
  const open = (path: string) =>
    scratch.opened(base.kind === 'bundle' ? readBundleFile(path).pack : new FileBytes(path))
  const savedIndex = () => (base.index_key ? getObjectIfAny(base.index_key) : Promise.resolve(undefined))
  // Small (each a push's thin pack), so downloaded while the kept pack is found.
  const parts = Promise.all(
    (base.parts ?? []).map(async (key, at) => {
      const path = scratch.path(`part-${at}.pack`)
      return (await downloadObject(key, path)) && path
    }),
  )
  parts.catch(() => undefined)
  const withParts = async (kept: { pack: PackBytes; index?: Buffer; from: KeptSource }) => {
    const paths = await parts
    if (paths.some((path) => !path)) return undefined
    return { ...kept, parts: paths.map((path) => scratch.opened(new FileBytes(path!))) }
  }
  if (keptCache.etagOf(base.key)) {
    const head = await objectHead(base.key)
    if (!head) return undefined
    const copy = head.etag ? keptCache.held(base.key, head.etag, base.index_key) : undefined
    let pack: PackBytes | undefined
    try {
      pack = copy && open(copy.pack)
    } catch {
      keptCache.forget(base.key)
    }
    if (pack) return withParts({ pack, index: copy?.index ?? (await savedIndex()), from: 'held' })
  }
  const stored = scratch.path('base')
  const [found, index] = await Promise.all([downloadObject(base.key, stored), savedIndex()])
  return found && withParts({ pack: open(stored), index, from: 'downloaded' })
}

/** What the scan read, for what it keeps once it succeeded. */
export interface ReadInput {
  source: ScanSource & { bytes: number; commits: number; index?: PackIndex; checkout?: CheckoutStats }
  refs: PushedRef[]
  /** The pushed pack or bundle as downloaded (absent for an archive), and its ETag. */
  input?: { path: string; etag?: string }
  /**
   * The thin pack made whole, when it was one: kept once the scan is recorded, as a part of the complete
   * pack it joined, or written to a file (`path`). `partBytes`: the parts' bytes, the thin pack's included.
   */
  whole?: { pack: JoinedPack; path: string; partBytes: number }
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

/** Thin packs a complete pack is kept as at most (its own pack, then these), before it is written whole again. */
const maxParts = 16

/** Bytes of thin packs a complete pack is kept with at most, before it is written whole again. */
const maxPartBytes = 64 * 1024 ** 2

/**
 * How old a kept pack may be for the next thin push to be kept as its part. The bucket expires what it
 * holds under uploads/ 7 days after it was written, kept packs too, and a push is offered objects stored
 * at most 6 days before (shared/uploads/git-uploads.ts): a repository pushed at least every 3 days has its
 * complete pack written anew within 3 days, so it is always offered.
 */
const maxPartsAgeMs = 3 * 24 * 3600 * 1000

/**
 * Whether the thin pack this scan read is kept as a part of the complete pack it joined, instead of the
 * joined pack being written and uploaded whole (about 100 MB, 2–5 s of the worker, for a one-file push to
 * the 100 MB benchmark repository). Only a pack Vega wrote (under the repository's `kept/`, which the
 * cleanup leaves while the repository exists) takes parts: a pushed pack or bundle is a scan's input, which
 * the cleanup deletes past the workspace's retention.
 */
export function keptAsPart(
  scan: ScanRecord,
  whole: Pick<NonNullable<ReadInput['whole']>, 'partBytes'>,
  now = Date.now(),
): boolean {
  const base = scan.input.base
  if (!base || scan.input.kind !== 'pack' || base.kind !== 'pack') return false
  if (!base.key.startsWith(objectKeys.kept(scan.workspace_id, scan.repository_id))) return false
  if (!base.stored_at || now - Date.parse(base.stored_at) > maxPartsAgeMs) return false
  return (base.parts?.length ?? 0) < maxParts && whole.partBytes <= maxPartBytes
}

/**
 * The complete pack (the pushed one, or a thin one made whole) and its index, for the next push; once
 * recorded, this worker keeps a copy of the pack too. A thin pack made whole is kept as a part of the pack
 * it joined while that pack takes parts (`keptAsPart`), else written and uploaded whole.
 */
async function keepObjects(scan: ScanRecord, read: ReadInput, index: PackIndex, log: RequestLog) {
  const { refs, whole, input, source } = read
  const base = scan.input.base
  const tips = [...new Set([...refs.map((ref) => ref.oid), ...(whole ? (base?.tips ?? []) : [])])]
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
  const asPart = whole && base && input && keptAsPart(scan, whole) ? { base, input } : undefined
  const wholeKey = objectKeys.wholePack(scan.workspace_id, scan.repository_id, scan.id)
  const partKey = objectKeys.packPart(scan.workspace_id, scan.repository_id, scan.id)
  // A joined pack written out is read back as that file, so its index names the file's checksum.
  const savedIndex = saveIndex(index, whole && !asPart ? whole.pack.checksum : undefined)
  const [wholeTag] = await Promise.all([
    whole && !asPart ? keepWhole(wholeKey, whole) : undefined,
    asPart ? putFile(partKey, asPart.input.path, 'application/x-git-packed-objects') : undefined,
    putObject(indexKey, savedIndex),
    putObject(walkKey, saveWalk(source.history)),
    treesKey && source.checkout ? putObject(treesKey, saveTrees(source.checkout.trees)) : undefined,
  ])
  const objects: StoredObjects = asPart
    ? {
        key: asPart.base.key,
        kind: 'pack',
        parts: [...(asPart.base.parts ?? []), partKey],
        stored_at: asPart.base.stored_at!,
        ...recorded,
      }
    : whole
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
  try {
    // The pack this worker holds stays; the index it holds becomes this one.
    if (asPart) return keptCache.keepIndex(objects.key, indexKey, savedIndex)
    const copy = whole ? { file: whole.path, etag: wholeTag } : { file: input?.path, etag: input?.etag }
    if (!copy.file || !copy.etag) return
    keptCache.keep({
      key: objects.key,
      etag: copy.etag,
      group: scan.repository_id,
      file: copy.file,
      index: savedIndex,
      indexKey,
    })
  } catch (error) {
    // The next push of the repository downloads its pack, as on a cold worker.
    log.warn('the kept pack was not copied on this worker', { scan_id: scan.id, error: String(error) })
  }
}

/** The joined pack written out (its checksum computed after the findings, for its index), then uploaded; its ETag. */
async function keepWhole(key: string, whole: { pack: JoinedPack; path: string }): Promise<string | undefined> {
  whole.pack.writeTo(whole.path)
  return putFile(key, whole.path, 'application/x-git-packed-objects')
}
