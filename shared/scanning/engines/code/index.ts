// The code (SAST) engine: structural ast-grep rules over the head tree, in JavaScript/TypeScript/TSX,
// Python, Go and Java. Rules are data in ./rules; the runner parses each file once per language.
import type { Engine, EngineFinding } from '../../engine.js'
import { defaultLimits, scanCode } from './runner.js'

export const codeEngine: Engine = {
  name: 'code',
  run: (source) => scanCode(source),
  // Findings are per file: each shard parses its share and the findings are put together.
  sharded: {
    part: (source, shard) => scanCode(source, defaultLimits, shard),
    merge: async (_, parts) => (parts as EngineFinding[][]).flat(),
  },
}

export { type CodeLanguage, codeLanguages, languageOf, registerLanguages } from './languages.js'
export type { CodeLanguageName, CodeRule } from './rule.js'
export { type CodeScanLimits, codeFilesOf, combinedMatcher, defaultLimits, scanCode } from './runner.js'
