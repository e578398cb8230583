// Where an upload's bytes go in the uploads bucket: one object per push attempt, so a losing racer never
// overwrites the winner. Each key is an export of its own, read through a namespace (`import * as
// objectKeys from '../storage/object-keys.js'`) as data/keys.ts is, so a function bundles the keys it uses.
import { uploadsBucket } from './bucket.js'

/** Everything a repository's uploads left in the bucket. */
export const repository = (workspace: string, repository: string) =>
  `${uploadsBucket.uploadsPrefix}${workspace}/${repository}/`
export const push = (workspace: string, repository: string, upload: string, attempt: string) =>
  `${uploadsBucket.uploadsPrefix}${workspace}/${repository}/${upload}/push-${attempt}.pack`
export const bundle = (workspace: string, repository: string, upload: string) =>
  `${uploadsBucket.uploadsPrefix}${workspace}/${repository}/${upload}/repo.bundle`
/**
 * What the repository keeps between scans, not one upload's: the memory of clean blobs incremental scans
 * reuse (shared/scanning/reuse.ts), and whole packs made of a thin push and the pack it built on. Kept
 * while the repository exists (the cleanup leaves them); rewritten by scans, so they expire with the
 * uploads only when the repository is no longer scanned.
 */
export const kept = (workspace: string, repository: string) =>
  `${uploadsBucket.uploadsPrefix}${workspace}/${repository}/${uploadsBucket.keptFolder}/`
export const cleanBlobs = (workspace: string, repository: string) => `${kept(workspace, repository)}clean-blobs.bin`
/** The code engine's findings per blob and path (shared/scanning/reuse.ts KnownFindings). */
export const codeFindings = (workspace: string, repository: string) =>
  `${kept(workspace, repository)}code-findings.json.gz`
export const wholePack = (workspace: string, repository: string, scan: string) =>
  `${kept(workspace, repository)}packs/${scan}.pack`
/** A thin pack a scan read, kept as a part of the repository's complete pack (StoredObjects `parts`). */
export const packPart = (workspace: string, repository: string, scan: string) =>
  `${kept(workspace, repository)}packs/${scan}.part.pack`
/** The saved index of the pack a scan read (shared/git/pack.ts saveIndex). */
export const packIndex = (workspace: string, repository: string, scan: string) =>
  `${kept(workspace, repository)}packs/${scan}.idx`
/** The history walk of the push a scan read (shared/git/history.ts saveWalk). */
export const historyWalk = (workspace: string, repository: string, scan: string) =>
  `${kept(workspace, repository)}packs/${scan}.walk.gz`
/** What one shard of a sharded scan found, sealed, until the shards are merged (shared/worker/shards.ts). */
export const scanShard = (workspace: string, repository: string, scan: string, shard: number) =>
  `${shards(workspace, repository, scan)}${shard}.sealed`
/** The pack index and history walk the first shard read, so the other shards need not read them again. */
export const shardIndex = (workspace: string, repository: string, scan: string) =>
  `${shards(workspace, repository, scan)}input.idx`
export const shardWalk = (workspace: string, repository: string, scan: string) =>
  `${shards(workspace, repository, scan)}input.walk.gz`
export const shards = (workspace: string, repository: string, scan: string) =>
  `${uploadsBucket.uploadsPrefix}${workspace}/${repository}/shards/${scan}/`
/** The trees of the head a scan checked out (shared/git/checkout.ts saveTrees). */
export const headTrees = (workspace: string, repository: string, scan: string) =>
  `${kept(workspace, repository)}packs/${scan}.trees.gz`
/** A legacy session's archive. */
export const archive = (workspace: string, repository: string, session: string, format: 'tar.gz' | 'zip') =>
  `${uploadsBucket.uploadsPrefix}${workspace}/${repository}/${session}/source.${format}`
