// The shape of a code rule: plain data, so the engine, the tests and the benchmark's ast-grep YAML are
// all built from the same objects.
import type { Rule } from '@ast-grep/napi'
import type { Severity } from '../../engine.js'
import type { CodeLanguageName } from './families.js'

/** The languages the code engine parses (families.ts); the JavaScript rules also run on TypeScript and TSX. */
export type { CodeLanguageName }

/** A relational sub-rule (`has`, `inside`): a rule with `stopBy` and `field`. */
export type Relation = NonNullable<Rule['has']>

/**
 * Conditions on a call's arguments, for a grammar whose argument list is a node of `listKind`
 * (`arguments` in JavaScript, `argument_list` in Python, Go and Java).
 */
export function argumentRules(listKind: string) {
  const argumentsHave = (rule: Relation): Rule => ({ has: { field: 'arguments', kind: listKind, has: rule } })
  return {
    argumentsHave,
    /** Somewhere among the arguments, at any depth. */
    argumentsContain: (rule: Rule): Rule => argumentsHave({ stopBy: 'end', ...rule }),
    /** The argument at this position (1-based). */
    nthArgument: (position: number, rule: Rule): Rule => argumentsHave({ nthChild: position, ...rule }),
  }
}

export interface CodeRule {
  /** `<language prefix>-<category>`, e.g. `js-command-injection`; stable, part of the finding's fingerprint. */
  id: string
  title: string
  severity: Severity
  cwe: string[]
  fix: string
  /** An ast-grep rule object (https://ast-grep.github.io/reference/rule.html); no top-level constraints. */
  rule: Rule
  /** Only these languages of the rule set, when part of the rule's grammar exists in no other (JSX). */
  only?: CodeLanguageName[]
}

/** Server-side request forgery: what every language's rule says, beside its own `id` and `rule`. */
export const ssrf = {
  title: 'Outgoing request to a URL taken from the request',
  severity: 'high',
  cwe: ['CWE-918'],
  fix: 'Never fetch a caller-chosen URL: map the input to an allow-listed host, or validate scheme, host and resolved address first.',
} as const satisfies Omit<CodeRule, 'id' | 'rule'>

/** Word boundaries and case-insensitivity for names that say a value is a secret. */
export const secretName = '(?i)(passw|pwd|secret|token|nonce|salt|otp|session|api_?key|credential)'

/**
 * Inside a declaration or assignment whose named part looks like a secret's name: each entry is a node
 * kind and the field holding the name; `more` adds places a pair cannot say.
 */
export const insideSecretNamed = (named: [kind: string, field: string][], ...more: Rule[]): Relation => ({
  stopBy: 'end',
  any: [...named.map(([kind, field]) => ({ kind, has: { field, regex: secretName } })), ...more],
})

/**
 * A string that starts with an SQL statement (after its opening quote or f/r prefix): a keyword alone
 * ("select " + choice) is too common in prose to mean a query.
 */
export const sqlText =
  '(?i)^[a-z]*["\'`]{1,3}\\s*(select\\s[\\s\\S]*?\\sfrom\\s|insert\\s+into\\s|update\\s+[\\w."`\\[\\]]+\\s+set\\s|delete\\s+from\\s|replace\\s+into\\s|merge\\s+into\\s|(create|drop|alter|truncate)\\s+(table|database|index|view|schema)\\s)'
