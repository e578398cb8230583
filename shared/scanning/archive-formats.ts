// The archive formats a legacy session accepts and how each one's first bytes look: their own module, so the
// records that name a format and the sessions function that checks an upload do not bundle the archive
// readers (yauzl, tar-stream, 62 KB).
export const archiveFormats = ['tar.gz', 'zip'] as const
export type ArchiveFormat = (typeof archiveFormats)[number]

/** The first bytes that say what an archive is, checked before any work is queued. */
export function looksLike(format: ArchiveFormat, start: Uint8Array): boolean {
  if (format === 'tar.gz') return start[0] === 0x1f && start[1] === 0x8b
  // A local file header, or the end-of-central-directory record of an empty zip.
  return start[0] === 0x50 && start[1] === 0x4b && (start[2] === 0x03 || start[2] === 0x05)
}
