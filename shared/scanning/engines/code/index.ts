// The code (SAST) engine: structural ast-grep rules over the head tree, in JavaScript/TypeScript/TSX,
// Python, Go and Java. Rules are data in ./rules; the runner parses each file once per language.
import type { Engine } from '../../engine.js'
import { scanCode } from './runner.js'

export const codeEngine: Engine = {
  name: 'code',
  run: (source) => scanCode(source),
}

export { type CodeLanguage, codeLanguages, languageOf, registerLanguages } from './languages.js'
export type { CodeLanguageName, CodeRule } from './rule.js'
export { type CodeScanLimits, codeFilesOf, combinedMatcher, defaultLimits, scanCode } from './runner.js'
