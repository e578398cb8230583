// One file's or blob's reading by both layers: what the secrets engine does per blob, alone, so it can
// run on the engine's thread or on a worker thread (./threads.ts) with the same result.
import { isBinary, type MatchOptions, matchSecrets, type SecretMatch } from './matcher.js'
import { type SecretlintMode, secretlintMatches, secretlintTriggers } from './secretlint-layer.js'

export interface BlobReading {
  binary: boolean
  /** The per-file time cap cut the first layer short. */
  timedOut: boolean
  matches: SecretMatch[]
  /** secretlint's matches on spans the first layer did not judge; undefined when it did not run. */
  secondLayer?: SecretMatch[]
}

export async function readBlob(
  bytes: Uint8Array,
  path: string,
  options: MatchOptions,
  secretlint: SecretlintMode,
): Promise<BlobReading> {
  if (isBinary(bytes)) return { binary: true, timedOut: false, matches: [] }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
  const result = matchSecrets(text, path, options)
  const reading: BlobReading = { binary: false, timedOut: result.timedOut, matches: result.matches }
  if (secretlint === 'all' || (secretlint === 'flagged' && secretlintTriggers.test(text)))
    reading.secondLayer = await secretlintMatches(text, path, [...result.matches, ...result.refused])
  return reading
}
