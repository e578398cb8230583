// Sharded scans. A scan with more to read than one invocation should (SCAN_SHARD_BYTES) runs as several
// worker invocations through the queue, each with its own time budget. Every shard reads the whole input
// (a pack is indexed whole: deltas reach across it) and runs the engines over its share of the blobs and
// files (Engine.sharded); what it found is kept sealed in the bucket. The shard whose mark completes the
// set merges every shard's part, in shard order, into the findings the unsharded scan would have found,
// and records them as any scan does. A shard that dies is redone from its message; a merge that dies is
// redone when the sweep queues the scan again and its first shard finds every shard done.
import { gunzipSync, gzipSync } from 'node:zlib'
import { config } from '../config.js'
import { sealBytes, unsealBytes } from '../crypto/sealed.js'
import type { ScanRecord } from '../data/scans.js'
import type { HistoryWalk } from '../git/checkout.js'
import { loadWalk, saveWalk } from '../git/history.js'
import { type PackIndex, saveIndex } from '../git/pack.js'
import type { Engine, EngineFinding, ScanSource, Shard } from '../scanning/engine.js'
import type { LearntBlobs } from '../scanning/reuse.js'
import * as objectKeys from '../storage/object-keys.js'
import { deletePrefix, getObjectIfAny, putObject } from '../storage/objects.js'

/** What one shard hands the merge. */
export interface ShardResult {
  /** Each engine's part, by name; an engine that does not shard answers its findings in the first shard. */
  parts: Record<string, unknown>
  /** What the shard's engines reused or learnt of the repository's memory (incremental scans). */
  learnt?: LearntBlobs
  /** The reference data the first shard's engines matched against (advisories, the SBOM's packages). */
  used?: ScanSource['used']
  /** The shard's invocation time until its result was kept: what it cost, metered with the scan. */
  ms?: number
}

/**
 * How many shards a scan runs as: one per SCAN_SHARD_BYTES of blobs to read (what no earlier scan of the
 * repository found clean), at most SCAN_MAX_SHARDS. An input without history (an archive) is one shard.
 */
export function shardsFor(source: ScanSource, limits = config()): number {
  let bytes = 0
  for (const blob of source.history.blobs.values()) {
    const path = blob.paths[0]?.path
    if (path !== undefined && !source.reuse?.knows('secrets', blob.oid, path)) bytes += blob.size
  }
  return Math.max(1, Math.min(limits.SCAN_MAX_SHARDS, Math.ceil(bytes / limits.SCAN_SHARD_BYTES)))
}

/** Runs one engine over a shard's share: its part, or (not sharding, in the first shard) its findings. */
export async function partOf(engine: Engine, source: ScanSource, shard: Shard): Promise<unknown> {
  if (engine.sharded) return engine.sharded.part(source, shard)
  return shard.index === 0 ? engine.run(source) : undefined
}

/**
 * Every shard's results made one: the engines' findings, the memory of every shard absorbed into the
 * source's (`results` other than `own`, the one this invocation computed), the first shard's data used.
 */
export async function mergeShards(
  engines: Engine[],
  source: ScanSource,
  results: ShardResult[],
  own?: ShardResult,
): Promise<EngineFinding[]> {
  const found: EngineFinding[] = []
  for (const engine of engines) {
    const parts = results.map((result) => result.parts[engine.name])
    if (engine.sharded) found.push(...(await engine.sharded.merge(source, parts)))
    else found.push(...((parts[0] as EngineFinding[] | undefined) ?? []))
  }
  for (const result of results) if (result !== own && result.learnt) source.reuse?.absorb(result.learnt)
  if (results[0]?.used) source.used = results[0].used
  return found
}

/** What the first shard read that the others would read again: the pack's index and the history walk. */
export interface ShardInput {
  index?: Buffer
  walk?: HistoryWalk
}

/**
 * Kept by the first shard before it queues the others: they load the index and walk (a second or two)
 * instead of indexing the pack and walking the history again (most of the input's time).
 */
export async function saveShardInput(scan: ScanRecord, source: { index?: PackIndex; history: HistoryWalk }) {
  if (!source.index) return
  await Promise.all([
    putObject(objectKeys.shardIndex(scan.workspace_id, scan.repository_id, scan.id), saveIndex(source.index)),
    putObject(objectKeys.shardWalk(scan.workspace_id, scan.repository_id, scan.id), saveWalk(source.history)),
  ])
}

/** The first shard's index and walk, when kept (absent: the shard reads the input whole, as the first did). */
export async function recallShardInput(scan: ScanRecord): Promise<ShardInput> {
  const [index, walk] = await Promise.all([
    getObjectIfAny(objectKeys.shardIndex(scan.workspace_id, scan.repository_id, scan.id)),
    getObjectIfAny(objectKeys.shardWalk(scan.workspace_id, scan.repository_id, scan.id)),
  ])
  return { index, walk: walk && loadWalk(walk) }
}

const sealedFor = (scan: ScanRecord, index: number) => `scan-shard:${scan.id}:${index}`

/**
 * Keeps a shard's result until the merge: gzipped JSON, sealed (AES-256-GCM, bound to the scan and shard)
 * because a secrets part holds the values it found, which the merge needs to tell one secret from another.
 */
export async function saveShardResult(scan: ScanRecord, index: number, result: ShardResult): Promise<void> {
  const sealed = await sealBytes(gzipSync(JSON.stringify(result)), sealedFor(scan, index))
  await putObject(objectKeys.scanShard(scan.workspace_id, scan.repository_id, scan.id, index), sealed)
}

/** A shard's kept result; thrown when it is missing (the queue retries the merge). */
export async function loadShardResult(scan: ScanRecord, index: number): Promise<ShardResult> {
  const sealed = await getObjectIfAny(objectKeys.scanShard(scan.workspace_id, scan.repository_id, scan.id, index))
  if (!sealed) throw new Error(`shard ${index} of scan ${scan.id} is marked done but its result is not in the bucket`)
  return JSON.parse(gunzipSync(await unsealBytes(sealed, sealedFor(scan, index))).toString('utf8')) as ShardResult
}

/** The shards' results, once the scan that merged them is recorded. */
export async function forgetShardResults(scan: ScanRecord): Promise<void> {
  await deletePrefix(objectKeys.shards(scan.workspace_id, scan.repository_id, scan.id))
}

/** Every shard's index, in order. */
export const shardIndexes = (count: number) => Array.from({ length: count }, (_, index) => index)
