// The version of each engine that remembers clean blobs (shared/scanning/reuse.ts): a digest of the
// engine's sources and the libraries it runs, so any change to what it finds forgets what it found clean,
// and a change to another engine forgets nothing. test/unit/engine-versions.test.ts recomputes them and
// fails, naming the new value, when a source changed and its version here did not.
export const engineVersions = {
  secrets: 'aecfe0c66a6c012e',
  code: 'be3cfbe1b135ae9b',
} as const

export type EngineWithMemory = keyof typeof engineVersions
