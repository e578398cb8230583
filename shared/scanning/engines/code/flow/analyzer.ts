// The shape of a data-flow analyzer: the runner hands it the tree of every file its trigger matched
// (parsed once, in ast-grep's Rust threads, with the language's rules), and it returns findings that
// carry their flow from source to sink. Files the trigger does not match are never walked in JavaScript.
import type { Rule, SgRoot } from '@ast-grep/napi'
import type { EngineFinding } from '../../../engine.js'
import type { CodeLanguageName } from '../rule.js'

export interface FlowAnalyzer {
  /** Stable, for logs and tests: `python-taint`, `javascript-taint`. */
  name: string
  languages: CodeLanguageName[]
  /**
   * An ast-grep rule for the nodes that make a file worth following (request sources, sinks that need
   * no source). Merged into the language's one combined matcher, so it costs no extra parse.
   */
  trigger: Rule
  /** Findings of one file; `path` is relative to the scanned root with `/` separators. */
  analyze(root: SgRoot, path: string): EngineFinding[]
}
