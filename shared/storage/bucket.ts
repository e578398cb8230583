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
