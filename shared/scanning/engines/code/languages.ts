// Which parser reads which file, and the one-time registration of the parsers that are not built in to
// @ast-grep/napi (Python, Go and Java ship as prebuilt tree-sitter libraries in @ast-grep/lang-*).

import go from '@ast-grep/lang-go'
import java from '@ast-grep/lang-java'
import python from '@ast-grep/lang-python'
import { Lang, type parse, registerDynamicLanguage } from '@ast-grep/napi'
import { codeExtensions } from './families.js'
import type { FlowAnalyzer } from './flow/analyzer.js'
import { javascriptAnalyzers } from './flow/javascript.js'
import { pythonAnalyzers } from './flow/python.js'
import type { CodeLanguageName, CodeRule } from './rule.js'
import { goRules } from './rules/go.js'
import { javaRules } from './rules/java.js'
import { javascriptRules } from './rules/javascript.js'
import { pythonRules } from './rules/python.js'

/** A built-in Lang or the name a dynamic language was registered under. */
type NapiLang = Parameters<typeof parse>[0]

export interface CodeLanguage {
  name: CodeLanguageName
  lang: NapiLang
  /** Lower-case file name endings, with the dot. */
  extensions: readonly string[]
  rules: CodeRule[]
  /** Data-flow analyzers, run on the files their trigger matches. */
  analyzers: FlowAnalyzer[]
}

const forLanguage = (name: CodeLanguageName, rules: CodeRule[]) =>
  rules.filter((rule) => !rule.only || rule.only.includes(name))
const analyzersFor = (name: CodeLanguageName, analyzers: FlowAnalyzer[]) =>
  analyzers.filter((analyzer) => analyzer.languages.includes(name))

export const codeLanguages: CodeLanguage[] = [
  {
    name: 'javascript',
    lang: Lang.JavaScript,
    extensions: codeExtensions.javascript,
    rules: forLanguage('javascript', javascriptRules),
    analyzers: analyzersFor('javascript', javascriptAnalyzers),
  },
  {
    name: 'typescript',
    lang: Lang.TypeScript,
    extensions: codeExtensions.typescript,
    rules: forLanguage('typescript', javascriptRules),
    analyzers: analyzersFor('typescript', javascriptAnalyzers),
  },
  {
    name: 'tsx',
    lang: Lang.Tsx,
    extensions: codeExtensions.tsx,
    rules: forLanguage('tsx', javascriptRules),
    analyzers: analyzersFor('tsx', javascriptAnalyzers),
  },
  {
    name: 'python',
    lang: 'python',
    extensions: codeExtensions.python,
    rules: pythonRules,
    analyzers: analyzersFor('python', pythonAnalyzers),
  },
  { name: 'go', lang: 'go', extensions: codeExtensions.go, rules: goRules, analyzers: [] },
  { name: 'java', lang: 'java', extensions: codeExtensions.java, rules: javaRules, analyzers: [] },
]

/** Declaration files hold no statements for the rules to match. */
const skippedEndings = ['.d.ts', '.d.mts', '.d.cts']

export function languageOf(path: string): CodeLanguage | undefined {
  const lower = path.toLowerCase()
  if (skippedEndings.some((ending) => lower.endsWith(ending))) return undefined
  const dot = lower.lastIndexOf('.')
  if (dot < 0) return undefined
  const extension = lower.slice(dot)
  return codeLanguages.find((language) => language.extensions.includes(extension))
}

let registered = false

/** registerDynamicLanguage may be called once per process, so every caller goes through here. */
export function registerLanguages(): void {
  if (registered) return
  const registration = (parser: typeof python) => ({
    libraryPath: parser.libraryPath,
    extensions: parser.extensions,
    languageSymbol: parser.languageSymbol,
    // `$` is no identifier character in Python and Go: without the package's expando character their
    // patterns' metavariables parse as errors and match nothing.
    expandoChar: parser.expandoChar,
  })
  registerDynamicLanguage({ python: registration(python), go: registration(go), java: registration(java) })
  registered = true
}
