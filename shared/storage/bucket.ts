// The uploads bucket: where pushed packs, bundles and legacy archives land, as plain data for the
// local bootstrap and CDK alike.
export const uploadsBucket = {
  id: 'uploads',
  /** Objects under uploads/ are inputs to one scan; keep them a week for retries, then let S3 expire them. */
  uploadsPrefix: 'uploads/',
  expireUploadsAfterDays: 7,
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
   * What incremental scans of the repository found clean (shared/scanning/reuse.ts); rewritten by every
   * scan, so it expires with the uploads only when the repository is no longer scanned.
   */
  cleanBlobs: (workspace: string, repository: string) =>
    `${uploadsBucket.uploadsPrefix}${workspace}/${repository}/clean-blobs.bin`,
  /** A legacy session's archive. */
  archive: (workspace: string, repository: string, session: string, format: 'tar.gz' | 'zip') =>
    `${uploadsBucket.uploadsPrefix}${workspace}/${repository}/${session}/source.${format}`,
}
