// The archive formats a legacy session accepts: their own module, so the records that name a format do not
// bundle the archive readers (yauzl, tar-stream) into every function.
export const archiveFormats = ['tar.gz', 'zip'] as const
export type ArchiveFormat = (typeof archiveFormats)[number]
