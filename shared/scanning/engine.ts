// The one interface every scanning engine implements (secrets, code, dependencies). Engines are pure:
// they read the head's files and the history's blobs, and return what they found. Storing,
// fingerprinting and triage happen around them (shared/findings), never inside.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { HistoryWalk } from '../git/checkout.js'
import type { CleanBlobs } from './reuse.js'

/** Strongest first; the zod enum of the API (routes/schemas.ts) is built from this list. */
export const severities = ['critical', 'high', 'medium', 'low', 'info'] as const
export type Severity = (typeof severities)[number]

/** Vega's own engines; an imported SARIF log's findings carry `sarif:<tool>` instead. */
export const engineNames = ['secrets', 'code', 'dependencies'] as const
export type EngineName = (typeof engineNames)[number]

/**
 * Where a finding sits when it is not the product's own running code: tests and fixtures, examples and
 * samples, documentation, vendored third-party code, build and release scripts. Such findings are
 * reported (attackers read tests too) at a lower severity, and the API and policies can filter on it.
 */
export const findingContexts = ['test', 'example', 'docs', 'vendored', 'build'] as const
export type FindingContext = (typeof findingContexts)[number]

/** One step of a data flow, source first and sink last (SARIF `codeFlows`). Lines are 1-based. */
export interface FlowStep {
  path: string
  line: number
  /** The line's code, trimmed to 200 characters. */
  snippet: string
  /** What happens here: `request.args.get('q') (source)`, `bar = param`, `cursor.execute(sql) (sink)`. */
  note: string
}

export interface ScanSource {
  /**
   * The pushed head (or the archive, or a local folder), on disk; symlinks and submodules are never
   * materialised. Of a git head, only the files the code engine parses are written: read the others
   * through `read` (readHeadFile).
   */
  root: string
  /** Every regular file of the head, relative with `/` separators, sorted; with its blob id when from git. */
  files: { path: string; size: number; oid?: string }[]
  /** A head file's bytes, whether or not it was written under root; absent: every file is on disk. */
  read?(path: string): Buffer
  /**
   * Every blob of the pushed history once, with the commits and paths where it appears; the head's
   * blobs are among them. Empty for an archive or a local folder: then `files` is all there is.
   */
  history: HistoryWalk
  readBlob(oid: string): Buffer
  /** Engines stop at this instant (epoch ms); the scan fails with time_budget past it. */
  deadline: number
  /** Stops a long engine early: checked between files; true once the scan was cancelled. */
  cancelled?: () => boolean
  /** The repository's memory of clean blobs (incremental scans): engines skip what it holds and add to it. */
  reuse?: CleanBlobs
  /** Filled by engines with the reference data they matched against, for the scan's stats. */
  used?: { advisories?: Record<string, AdvisoryDataUsed>; packages?: PackageUsed[] }
}

/** A file of `files` as it is in the head, through the source's reader or else from disk. */
export function readHeadFile(source: ScanSource, path: string): Buffer {
  return source.read ? source.read(path) : readFileSync(join(source.root, path))
}

/** A package a lockfile of the tree names, as the dependencies engine read it (the scan's SBOM). */
export interface PackageUsed {
  ecosystem: string
  name: string
  version: string
  /** The lockfile. */
  path: string
  direct?: boolean
  via?: string
  scope?: 'runtime' | 'dev'
}

/** The advisory data one ecosystem's dependencies were matched against. */
export interface AdvisoryDataUsed {
  /** Advisories the store held for the ecosystem. */
  records: number
  /** When they were last synced or imported; null when never (only counted, or an in-memory set). */
  synced_at: string | null
}

/** One place a finding appears. Lines are 1-based and inclusive. */
export interface FindingLocation {
  path: string
  start_line: number
  end_line: number
  /** The commit that introduced this location, for findings over history (secrets). */
  commit?: string
  /** The matched line(s), trimmed to 200 characters; a secret's value is always redacted in it. */
  snippet: string
}

export interface EngineFinding {
  engine: EngineName
  rule_id: string
  severity: Severity
  title: string
  message: string
  /** CWE ids like `CWE-798`. */
  cwe: string[]
  /** How to fix it, one or two sentences. */
  fix: string
  /**
   * What makes this finding itself, with no line numbers: for a secret the SHA-256 (hex) of its value,
   * for code the normalised matched text (whitespace collapsed), for a dependency
   * `ecosystem:package@version:advisory`. The fingerprint is built from rule, path and this.
   */
  identity: string
  /** A fingerprint the finding brings with it (an imported SARIF result's); engines leave it out. */
  fingerprint?: string
  /** Where it appears: the first is the primary location. A secret lists every path and commit. */
  locations: FindingLocation[]
  /** Set when the finding is in test, example, docs, vendored or build material; absent for product code. */
  context?: FindingContext
  /** For a finding over data flow: from the source to the sink, in order. */
  flow?: FlowStep[]
  /** Engine-specific facts shown to users (package, installed and fixed versions, advisory id, ...). */
  metadata: Record<string, string | number | boolean | null>
}

export interface Engine {
  name: string
  run(source: ScanSource): Promise<EngineFinding[]>
}
