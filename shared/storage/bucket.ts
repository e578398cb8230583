// The uploads bucket: where pushed packs, bundles and legacy archives land, as plain data for the
// local bootstrap and CDK alike.
export const uploadsBucket = {
  id: 'uploads',
  /** Objects under uploads/ are inputs to one scan; keep them a week for retries, then let S3 expire them. */
  uploadsPrefix: 'uploads/',
  expireUploadsAfterDays: 7,
  /** Under a repository's prefix, beside its uploads: what the repository keeps between scans. */
  keptFolder: 'kept',
} as const

/** Where an upload's bytes go: one object per push attempt, so a losing racer never overwrites the winner. */
export const objectKeys = {
  /** Everything a repository's uploads left in the bucket. */
  repository: (workspace: string, repository: string) => `${uploadsBucket.uploadsPrefix}${workspace}/${repository}/`,
  push: (workspace: string, repository: string, upload: string, attempt: string) =>
    `${uploadsBucket.uploadsPrefix}${workspace}/${repository}/${upload}/push-${attempt}.pack`,
  bundle: (workspace: string, repository: string, upload: string) =>
    `${uploadsBucket.uploadsPrefix}${workspace}/${repository}/${upload}/repo.bundle`,
  /**
   * What the repository keeps between scans, not one upload's: the memory of clean blobs incremental scans
   * reuse (shared/scanning/reuse.ts), and whole packs made of a thin push and the pack it built on. Kept
   * while the repository exists (the cleanup leaves them); rewritten by scans, so they expire with the
   * uploads only when the repository is no longer scanned.
   */
  kept: (workspace: string, repository: string) =>
    `${uploadsBucket.uploadsPrefix}${workspace}/${repository}/${uploadsBucket.keptFolder}/`,
  cleanBlobs: (workspace: string, repository: string) => `${objectKeys.kept(workspace, repository)}clean-blobs.bin`,
  /** The code engine's findings per blob and path (shared/scanning/reuse.ts KnownFindings). */
  codeFindings: (workspace: string, repository: string) =>
    `${objectKeys.kept(workspace, repository)}code-findings.json.gz`,
  wholePack: (workspace: string, repository: string, scan: string) =>
    `${objectKeys.kept(workspace, repository)}packs/${scan}.pack`,
  /** A thin pack a scan read, kept as a part of the repository's complete pack (StoredObjects `parts`). */
  packPart: (workspace: string, repository: string, scan: string) =>
    `${objectKeys.kept(workspace, repository)}packs/${scan}.part.pack`,
  /** The saved index of the pack a scan read (shared/git/pack.ts saveIndex). */
  packIndex: (workspace: string, repository: string, scan: string) =>
    `${objectKeys.kept(workspace, repository)}packs/${scan}.idx`,
  /** The history walk of the push a scan read (shared/git/history.ts saveWalk). */
  historyWalk: (workspace: string, repository: string, scan: string) =>
    `${objectKeys.kept(workspace, repository)}packs/${scan}.walk.gz`,
  /** What one shard of a sharded scan found, sealed, until the shards are merged (shared/worker/shards.ts). */
  scanShard: (workspace: string, repository: string, scan: string, shard: number) =>
    `${objectKeys.shards(workspace, repository, scan)}${shard}.sealed`,
  /** The pack index and history walk the first shard read, so the other shards need not read them again. */
  shardIndex: (workspace: string, repository: string, scan: string) =>
    `${objectKeys.shards(workspace, repository, scan)}input.idx`,
  shardWalk: (workspace: string, repository: string, scan: string) =>
    `${objectKeys.shards(workspace, repository, scan)}input.walk.gz`,
  shards: (workspace: string, repository: string, scan: string) =>
    `${uploadsBucket.uploadsPrefix}${workspace}/${repository}/shards/${scan}/`,
  /** The trees of the head a scan checked out (shared/git/checkout.ts saveTrees). */
  headTrees: (workspace: string, repository: string, scan: string) =>
    `${objectKeys.kept(workspace, repository)}packs/${scan}.trees.gz`,
  /** A legacy session's archive. */
  archive: (workspace: string, repository: string, session: string, format: 'tar.gz' | 'zip') =>
    `${uploadsBucket.uploadsPrefix}${workspace}/${repository}/${session}/source.${format}`,
}
