// The version of each engine that remembers clean blobs (shared/scanning/reuse.ts): a digest of the
// engine's sources and the libraries it runs, so any change to what it finds forgets what it found clean,
// and a change to another engine forgets nothing. The code engine has one per family of rules
// (engines/code/families.ts): its shared sources and the family's own, so new Python rules forget what
// it found in Python files and nothing else. test/unit/engine-versions.test.ts recomputes them and fails,
// naming the new value, when a source changed and its version here did not.
import type { RuleFamily } from './engines/code/families.js'

export interface EngineVersions {
  secrets: string
  code: Record<RuleFamily, string>
}

export const engineVersions: EngineVersions = {
  secrets: '6d377dfea0a57c71',
  code: {
    javascript: 'ca1e5e284a011c6a',
    python: '302bfd47160aff8e',
    go: '7b8c5f03043054da',
    java: '537887451b8048d9',
  },
}

export type EngineWithMemory = keyof EngineVersions
