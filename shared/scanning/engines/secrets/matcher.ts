// Finds secrets in one file's text: cheap keyword checks first, so most files never meet a regex; then
// each gated rule's regex, its entropy floor, its proof (checksum) and the allowlists.

import { lineOf, lineStarts } from '../../lines.js'
import { shannonEntropy } from './entropy.js'
import { Literals } from './literals.js'
import type { SecretRule } from './rule.js'
import { rules as defaultRules, placeholderValues, placeholderWords } from './rules.js'

export interface SecretMatch {
  rule: SecretRule
  /** The raw secret: stays inside the engine, never in a finding. */
  secret: string
  /** The value that identifies the secret (normalised where the rule says so). */
  value: string
  /** UTF-16 offsets of the secret in the text. */
  start: number
  end: number
  /** 1-based, inclusive. */
  startLine: number
  endLine: number
  /** The text of the line the secret starts on, and the secret's column in it. */
  line: string
  column: number
  /** A stand-in body in a vendor's exact format (`sk_live_AAAA…`): reported as an example, one severity low. */
  example?: true
}

export interface MatchOptions {
  /** A file stops being matched after this long; JavaScript regexes backtrack and cannot be interrupted mid-run. */
  maxMillisPerFile: number
  rules: readonly SecretRule[]
}

export interface FileResult {
  matches: SecretMatch[]
  /** True when the time cap stopped the file before every rule ran. */
  timedOut: boolean
  /** Spans a rule's regex matched but its entropy, proof or allowlist refused: a second opinion must not report them. */
  refused: { start: number; end: number; disproved?: true }[]
}

export const maxFileBytes = 2 * 1024 * 1024

const windowStep = 64 * 1024
/** Longer than the longest secret a rule can match (a PEM block of 16 KB and its armour lines). */
const windowOverlap = 20 * 1024
const windowContext = 256

/** Files that never hold a secret of their own: lock files carry integrity hashes, images and archives are binary. */
const skippedPaths: RegExp[] = [
  /(?:^|\/)(?:package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|bun\.lockb?|deno\.lock|Cargo\.lock|Gemfile\.lock|poetry\.lock|Pipfile\.lock|composer\.lock|go\.sum|gradle\.lockfile|packages\.lock\.json|uv\.lock|pylock(?:\.[\w-]+)?\.toml)$/,
  /\.(?:png|jpe?g|gif|bmp|ico|webp|tiff?|svg|eot|ttf|otf|woff2?|pdf|docx?|xlsx?|pptx?|zip|gz|tgz|bz2|xz|7z|rar|jar|war|class|exe|dll|so|dylib|a|o|wasm|node|pyc|mp[34]|mov|avi|webm)$/i,
  /\.(?:js|css)\.map$/,
  // Tools' caches hold copies of files (transformed tests, modules) that are scanned where they were written.
  /(?:^|\/)(?:\.vitest-cache|\.cache|\.parcel-cache|\.turbo|\.nx\/cache|\.next\/cache)\//,
]

export function isSkippedPath(path: string): boolean {
  return skippedPaths.some((pattern) => pattern.test(path))
}

/** A NUL byte in the first 8 KB marks a binary file, as git itself decides. */
export function isBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, 8192).includes(0)
}

interface CompiledRule {
  rule: SecretRule
  regex: RegExp
}

const compiled = new WeakMap<readonly SecretRule[], CompiledRule[]>()

function compile(rules: readonly SecretRule[]): CompiledRule[] {
  let list = compiled.get(rules)
  if (!list) {
    list = rules.map((rule) => ({
      rule,
      regex: new RegExp(rule.regex.source, `${rule.regex.flags.replace(/[gd]/g, '')}gd`),
    }))
    compiled.set(rules, list)
  }
  return list
}

const keywordScanners = new WeakMap<readonly SecretRule[], Literals>()

/** The words the rules are gated on: their keywords and the words a file must contain. */
export const keywordsOf = (rules: readonly SecretRule[]) =>
  rules.flatMap((rule) => [...rule.keywords, ...(rule.fileMustContain ?? [])])

/**
 * The rules' keywords a text holds, ignoring case, in one pass: rules share ~120 keywords (`pass`,
 * `secret`, `token`), and looking for each apart scanned every file that many times.
 */
function keywordsIn(text: string, rules: readonly SecretRule[]): Set<string> {
  let scanner = keywordScanners.get(rules)
  if (!scanner) {
    scanner = new Literals(keywordsOf(rules))
    keywordScanners.set(rules, scanner)
  }
  return scanner.in(text)
}

export const defaultMatchOptions: MatchOptions = { maxMillisPerFile: 2000, rules: defaultRules }

/** A value written as a stand-in: a placeholder pattern or word (`xxxxxx`, `<key>`, `EXAMPLE`). */
export function isStandIn(secret: string): boolean {
  const lower = secret.toLowerCase()
  return (
    placeholderValues.some((pattern) => pattern.test(secret)) || placeholderWords.some((word) => lower.includes(word))
  )
}

/** A body masked out rather than filled in: runs of x, *, 0, dots, or a template. Never reported. */
export const isMasked = (secret: string) => /[xX*•.#0]{4,}|[<>{}…]|\$\(/.test(secret)

function isAllowed(rule: SecretRule, secret: string, path: string, line: string): boolean {
  const lower = secret.toLowerCase()
  const allow = rule.allow
  if (!allow) return false
  return (
    !!allow.values?.some((pattern) => pattern.test(secret)) ||
    !!allow.stopwords?.some((word) => lower.includes(word)) ||
    !!allow.paths?.some((pattern) => pattern.test(path)) ||
    !!allow.lines?.some((pattern) => pattern.test(line))
  )
}

/**
 * Every secret in one file's text. `path` decides path-scoped allowlists; `present`, the words the text
 * holds when the caller looked for them already (at least the rules' keywords), decides which rules run.
 */
export function matchSecrets(
  text: string,
  path: string,
  options: MatchOptions = defaultMatchOptions,
  present = keywordsIn(text, options.rules),
): FileResult {
  const began = performance.now()
  const holds = (word: string) => present.has(word)
  const gated = compile(options.rules).filter(
    ({ rule }) => rule.keywords.some(holds) && (!rule.fileMustContain || rule.fileMustContain.some(holds)),
  )
  if (!gated.length) return { matches: [], timedOut: false, refused: [] }

  const matches: SecretMatch[] = []
  const refused: FileResult['refused'] = []
  let starts: number[] | undefined
  let timedOut = false
  const overBudget = () => performance.now() - began > options.maxMillisPerFile
  rules: for (const { rule, regex } of gated) {
    // A regex runs over windows of the text, so the time cap is checked at least once per window: one
    // exec over 2 MB with no match cannot be interrupted, one over a window is short.
    for (let windowStart = 0; windowStart < text.length; windowStart += windowStep) {
      if (overBudget()) {
        timedOut = true
        break rules
      }
      // The context before the window keeps \b and lookbehinds honest at its edge; the overlap after it
      // lets a secret that starts in the window end in it.
      const sliceStart = Math.max(0, windowStart - windowContext)
      const window = text.slice(sliceStart, windowStart + windowStep + windowOverlap)
      regex.lastIndex = windowStart - sliceStart
      for (let found = regex.exec(window); found; found = regex.exec(window)) {
        // Alternatives (a quoted or a bare value) capture in different groups: the one that matched is the secret.
        const group = found.findIndex((text, index) => index > 0 && text !== undefined)
        const span = group > 0 ? found.indices?.[group] : undefined
        const secret = group > 0 ? found[group] : undefined
        if (!span || !secret) continue
        const start = span[0] + sliceStart
        const end = span[1] + sliceStart
        if (start >= windowStart + windowStep) break
        if (matches.some((other) => start < other.end && other.start < end)) continue
        // A value a format rule disproved (a token whose checksum fails) is not a secret by its name either.
        if (rule.vetoes === false && refused.some((other) => other.disproved && start < other.end && other.start < end))
          continue
        const lineStartAt = text.lastIndexOf('\n', start - 1) + 1
        const place = { path, before: text.slice(Math.max(lineStartAt, start - 200), start), group }
        if (rule.check && !rule.check(secret, place)) {
          if (rule.vetoes !== false) refused.push({ start, end, disproved: true })
          continue
        }
        // Low entropy and stand-in words mark a placeholder; in a vendor's exact format, a filled-in one is
        // an example worth a low finding (rules with `reportsStandIns`), a masked one is nothing.
        const standIn =
          (rule.entropy !== undefined && shannonEntropy(secret) < rule.entropy) ||
          (rule.placeholderCheck !== false && isStandIn(secret))
        if (standIn && !(rule.reportsStandIns && !isMasked(secret))) {
          if (rule.vetoes !== false) refused.push({ start, end })
          continue
        }
        starts ??= lineStarts(text)
        const startLine = lineOf(starts, start)
        const lineStart = starts[startLine - 1]!
        const lineEnd = starts[startLine] === undefined ? text.length : starts[startLine]! - 1
        const line = text.slice(lineStart, lineEnd).replace(/\r$/, '')
        if (isAllowed(rule, secret, path, line)) {
          if (rule.vetoes !== false) refused.push({ start, end })
          continue
        }
        matches.push({
          ...(standIn ? { example: true as const } : {}),
          rule,
          secret,
          value: rule.normalise ? rule.normalise(secret) : secret,
          start,
          end,
          startLine,
          endLine: lineOf(starts, Math.max(start, end - 1)),
          line,
          column: start - lineStart,
        })
        if (overBudget()) {
          timedOut = true
          break rules
        }
      }
    }
  }
  return { matches, timedOut, refused }
}
