// The version of each engine that remembers clean blobs (shared/scanning/reuse.ts): a digest of the
// engine's sources and the libraries it runs, so any change to what it finds forgets what it found clean,
// and a change to another engine forgets nothing. test/unit/engine-versions.test.ts recomputes them and
// fails, naming the new value, when a source changed and its version here did not.
export const engineVersions = {
  secrets: '87a59c2542408000',
  code: 'dc1cf0d63575f31b',
} as const

export type EngineWithMemory = keyof typeof engineVersions
