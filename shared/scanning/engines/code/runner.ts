// Runs every rule of a language in one pass: findInFiles with ONE combined `any` rule per language
// parses each file once in Rust threads (6-9x faster than a parse + findAll per rule per file), then the
// few matched nodes are attributed to the rules they match.
import { closeSync, openSync, readSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { findInFiles, type NapiConfig, type SgNode } from '@ast-grep/napi'
import { InputError } from '../../../errors.js'
import { contextOf, severityIn } from '../../context.js'
import { type EngineFinding, type FindingContext, inShare, type ScanSource, type Shard } from '../../engine.js'
import type { FlowAnalyzer } from './flow/analyzer.js'
import { type CodeLanguage, languageOf, registerLanguages } from './languages.js'
import { mayMatch } from './prefilter.js'
import type { CodeRule } from './rule.js'

export interface CodeScanLimits {
  /** Larger files are generated or vendored far more often than written, and parse slowly. */
  maxFileBytes: number
  /** Files per findInFiles call: the deadline and cancellation are checked between batches (each batch
   * ends with one thread finishing the last file while the other idles, so batches stay large). */
  batchSize: number
}

export const defaultLimits: CodeScanLimits = { maxFileBytes: 1024 * 1024, batchSize: 2000 }

const snippetLimit = 200
/** Minified code is one huge line; a file this big whose head holds such a line is skipped. */
const minifiedCheckFrom = 16 * 1024
const minifiedLineLength = 1000
/** How much of a matched file's head is read for a minified line or a library banner. */
const headLength = 8 * 1024

/**
 * A library's banner opening the file: a first comment carrying `@license` or `@preserve`, or the `/*!`
 * comment minifiers and bundlers keep when it names a version, a copyright or a licence
 * (`/*! jQuery v3.7.1 | (c) OpenJS Foundation`); a bare `/*! Test suite helpers` is the product's own.
 */
const libraryBanner =
  /^(?:#![^\n]*\n)?\s*(?:\/\*(?:(?!\*\/)[\s\S]){0,2000}?@(?:license|preserve)\b|\/\*!(?:(?!\*\/)[\s\S]){0,2000}?(?:\bv?\d+\.\d+\.\d+|\(c\)|©|\bcopyright\b|\blicen[cs]ed?\b))/i

/**
 * The context of a matched file: context.ts's verdict from its path, else `vendored` for a library
 * banner. Judged only for files with matches, so it costs nothing elsewhere.
 */
function codeContextOf(path: string, head: string): FindingContext | undefined {
  return contextOf(path) ?? (libraryBanner.test(head) ? 'vendored' : undefined)
}

/** A line of code over 1,000 characters; an inline source map (`//# sourceMappingURL=data:…`) is not code. */
const hasMinifiedLine = (head: string) =>
  head
    .split('\n')
    .some((line) => line.length > minifiedLineLength && !/^\s*\/\/[#@] ?source(?:Mapping)?URL=/.test(line))

type SourceFile = ScanSource['files'][number]

/** Parses the source's files (a shard's share of them, when given) and answers their findings. */
export async function scanCode(
  source: ScanSource,
  limits: CodeScanLimits = defaultLimits,
  shard?: Shard,
): Promise<EngineFinding[]> {
  registerLanguages()
  // Clean results are remembered for the product's own limits only, per file of a git checkout.
  const memory = limits === defaultLimits ? source.reuse : undefined
  const byPath = new Map<string, SourceFile>()
  const findings: EngineFinding[] = []
  // Skipped: a file known clean, or one whose findings are known (they are taken as they were).
  const reused = (file: SourceFile) => {
    if (!file.oid || !memory) return false
    if (memory.reuse('code', file.oid, file.path, file.size)) return true
    const known = memory.reuseFindings<EngineFinding>(file.oid, file.path, file.size)
    if (known) findings.push(...known)
    return !!known
  }
  // A minified file is never parsed, whatever it holds: as good as clean, so the next checkout skips it.
  const minified = (file: SourceFile) => {
    memory?.scanned('code', file.size)
    if (file.oid) memory?.remember('code', file.oid, file.path)
  }
  // A shard parses its share of the files (the ones its checkout wrote).
  const skipped = (file: SourceFile) => (shard !== undefined && !inShare(file.path, shard)) || reused(file)
  for (const [language, paths] of codeFilesOf(source, limits, skipped, byPath, minified)) {
    for (let start = 0; start < paths.length; start += limits.batchSize) {
      if (Date.now() > source.deadline) throw new InputError('time_budget', 'code scanning ran past its time budget')
      if (source.cancelled?.()) return findings
      const batch = paths.slice(start, start + limits.batchSize)
      const { byFile, complete } = await findInBatch(language, batch, source.root, findings)
      for (const path of batch) {
        const file = byPath.get(path)!
        memory?.scanned('code', file.size)
        if (!complete || !file.oid) continue
        const found = byFile.get(path)
        if (found) memory?.rememberFindings(file.oid, file.path, found)
        else memory?.remember('code', file.oid, file.path)
      }
    }
  }
  return findings
}

/**
 * The source's files the engine parses, as absolute paths by language: the source's own list, because
 * findInFiles would honour .gitignore if handed the root. `skip` leaves out files known clean; `byPath`
 * is filled with the source's file behind each absolute path.
 */
export function codeFilesOf(
  source: ScanSource,
  limits: CodeScanLimits,
  skip: (file: SourceFile) => boolean = () => false,
  byPath = new Map<string, SourceFile>(),
  onMinified: (file: SourceFile) => void = () => undefined,
): Map<CodeLanguage, string[]> {
  const groups = new Map<CodeLanguage, string[]>()
  for (const file of source.files) {
    const language = languageToParse(file, limits)
    if (!language || skip(file)) continue
    const path = join(source.root, file.path)
    byPath.set(path, file)
    if (file.size >= minifiedCheckFrom && looksMinified(path)) {
      onMinified(file)
      continue
    }
    const paths = groups.get(language) ?? []
    paths.push(path)
    groups.set(language, paths)
  }
  return groups
}

/**
 * The language a file is parsed as, judged by its path and size alone (a minified file under a plain name
 * is found later); undefined for a file the engine never parses. A git checkout writes by it.
 */
export function languageToParse(
  file: { path: string; size: number },
  limits: CodeScanLimits = defaultLimits,
): CodeLanguage | undefined {
  if (file.size > limits.maxFileBytes || /[.-]min\.[cm]?js$/i.test(file.path)) return undefined
  return languageOf(file.path)
}

function looksMinified(path: string): boolean {
  const head = Buffer.alloc(headLength)
  const fd = openSync(path, 'r')
  try {
    const read = readSync(fd, head, 0, head.length, 0)
    return hasMinifiedLine(head.subarray(0, read).toString('latin1'))
  } finally {
    closeSync(fd)
  }
}

const combinedMatchers = new WeakMap<CodeLanguage, NapiConfig>()

/**
 * One `any` over the language's rules and its analyzers' triggers; rules carry no constraints, so
 * nothing clashes when merged.
 */
export function combinedMatcher(language: CodeLanguage): NapiConfig {
  let matcher = combinedMatchers.get(language)
  if (!matcher) {
    matcher = {
      rule: {
        any: [...language.rules.map((rule) => rule.rule), ...language.analyzers.map((analyzer) => analyzer.trigger)],
      },
    }
    combinedMatchers.set(language, matcher)
  }
  return matcher
}

/**
 * Adds the batch's findings; answers each file's findings (by absolute path) and whether every file was
 * read (an unreadable or undecodable file reaches the callback as an error that names no file).
 */
async function findInBatch(language: CodeLanguage, paths: string[], root: string, findings: EngineFinding[]) {
  const byFile = new Map<string, EngineFinding[]>()
  let complete = true
  // findInFiles may resolve before its last callbacks ran (a Node-API limitation the ast-grep docs
  // describe); it resolves to the number of files with matches, so wait until that many have arrived.
  let delivered = 0
  let expected = Number.POSITIVE_INFINITY
  let allDelivered = () => {}
  const done = new Promise<void>((resolve) => {
    allDelivered = resolve
  })
  const matchedFiles = await findInFiles(
    language.lang,
    { paths, matcher: combinedMatcher(language) },
    (error, nodes) => {
      // An unreadable or undecodable file reaches here as an error: it simply yields nothing.
      if (error) complete = false
      else {
        const found = collectFindings(language, nodes, root)
        if (found.length) byFile.set(nodes[0]!.getRoot().filename(), found)
        findings.push(...found)
      }
      if (++delivered >= expected) allDelivered()
    },
  )
  expected = matchedFiles
  if (delivered < expected) await done
  return { byFile, complete }
}

/** One file's findings. */
function collectFindings(language: CodeLanguage, nodes: SgNode[], root: string): EngineFinding[] {
  const first = nodes[0]
  if (!first) return []
  const path = relative(root, first.getRoot().filename()).split(sep).join('/')
  const text = first.getRoot().root().text()
  const head = text.slice(0, headLength)
  // Files under 16 KB were not read before parsing: a minified one is dropped here, with what it matched.
  if (hasMinifiedLine(head)) return []
  const context = codeContextOf(path, head)
  const found: EngineFinding[] = []
  const triggered = new Set<FlowAnalyzer>()
  let lines: string[] | undefined
  for (const node of nodes) {
    // A trigger matches the whole file (its root): that node is no rule's finding.
    if (node.kind() === 'module' || node.kind() === 'program') {
      // Only an analyzer's trigger matches a root, so a language's single analyzer needs no second match
      // (which walks the whole tree again).
      const [only, ...others] = language.analyzers
      if (only && !others.length) triggered.add(only)
      else
        for (const analyzer of language.analyzers)
          if (!triggered.has(analyzer) && node.matches({ rule: analyzer.trigger })) triggered.add(analyzer)
      continue
    }
    for (const analyzer of language.analyzers)
      if (!triggered.has(analyzer) && mayMatch(analyzer.trigger, node) && node.matches({ rule: analyzer.trigger }))
        triggered.add(analyzer)
    const rules = language.rules.filter((rule) => mayMatch(rule.rule, node) && node.matches({ rule: rule.rule }))
    if (!rules.length) continue
    lines ??= text.split('\n')
    const { start, end } = node.range()
    const snippet = lines
      .slice(start.line, end.line + 1)
      .map((line) => line.trim())
      .join('\n')
      .slice(0, snippetLimit)
    const identity = node.text().replace(/\s+/g, ' ').trim()
    for (const rule of rules) found.push(findingOf(rule, language, { path, start, end, snippet, identity }))
  }
  for (const analyzer of triggered) found.push(...analyzer.analyze(first.getRoot(), path))
  return found.map((finding) =>
    context ? { ...finding, context, severity: severityIn(context, finding.severity) } : finding,
  )
}

function findingOf(
  rule: CodeRule,
  language: CodeLanguage,
  match: { path: string; start: { line: number }; end: { line: number }; snippet: string; identity: string },
): EngineFinding {
  const shown = match.identity.length > 80 ? `${match.identity.slice(0, 77)}...` : match.identity
  return {
    engine: 'code',
    rule_id: rule.id,
    severity: rule.severity,
    title: rule.title,
    message: `${rule.title}: \`${shown}\``,
    cwe: rule.cwe,
    fix: rule.fix,
    identity: match.identity,
    locations: [
      { path: match.path, start_line: match.start.line + 1, end_line: match.end.line + 1, snippet: match.snippet },
    ],
    metadata: { language: language.name },
  }
}
