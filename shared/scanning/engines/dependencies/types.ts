// What the lockfile parsers produce and the engine matches: one resolved package per entry.
import { lineOf, lineStarts } from '../../lines.js'

/** The OSV ecosystems Vega matches; the names are OSV's own (`affected[].package.ecosystem`). */
export const ecosystems = ['npm', 'PyPI', 'Go', 'crates.io', 'RubyGems', 'Maven', 'NuGet', 'Packagist'] as const
export type Ecosystem = (typeof ecosystems)[number]

export const isEcosystem = (value: string): value is Ecosystem => (ecosystems as readonly string[]).includes(value)

/** Whether a package is needed to run the project or only to build and test it. */
export const dependencyScopes = ['runtime', 'dev'] as const
export type DependencyScope = (typeof dependencyScopes)[number]

/** Whether the project's own (non-test) source imports the package: what a policy may lower severity by. */
export const reachabilities = ['imported', 'not_imported', 'unknown'] as const
export type Reachability = (typeof reachabilities)[number]

export interface Dependency {
  ecosystem: Ecosystem
  name: string
  version: string
  /** The lockfile or manifest, relative to the scanned root. */
  path: string
  /** 1-based line of the entry in that file, when it was cheap to find. */
  line?: number
  /** True when the project asks for it itself, false when it is only pulled in; absent when the file cannot tell. */
  direct?: boolean
  /** For a package only pulled in: the direct dependency that pulls it in, when the lockfile says. */
  via?: string
  /** Absent when the file cannot tell. */
  scope?: DependencyScope
}

export interface ParseResult {
  dependencies: Dependency[]
  /** Why entries (or the whole file) were skipped: broken input, unpinned ranges, limits. */
  notes: string[]
}

/** Input limits: a lockfile is data from the pushed repository, so its size and entry count are capped. */
export const lockfileLimits = {
  /** The largest lockfile read (real monorepo package-locks reach 10–20 MB). */
  maxBytes: 32 * 1024 * 1024,
  /** Entries kept per lockfile; the rest are dropped with a note. */
  maxEntries: 100_000,
}

/**
 * PEP 503: PyPI names compare case-insensitively with runs of `-`, `_` and `.` as one `-`. NuGet package ids and
 * Composer package names compare case-insensitively too.
 */
export const normalisePackageName = (ecosystem: string, name: string): string =>
  ecosystem === 'PyPI'
    ? name.toLowerCase().replace(/[-_.]+/g, '-')
    : ecosystem === 'NuGet' || ecosystem === 'Packagist'
      ? name.toLowerCase()
      : name

/**
 * Finds the 1-based line of a needle cheaply: one scan for line starts, a binary search per lookup, and each
 * search starts where the last match was (parsers ask in file order), wrapping around once. A needle that is not
 * there costs a pass over the text, so a file built to miss (names written with escapes, say) could make the
 * lookups quadratic: with `maxPasses`, the lookups stop finding lines once they have read that many passes' worth of
 * text (never less than 16 MB), since a line is only a convenience.
 */
export function lineFinder(text: string, options: { maxPasses?: number } = {}): (needle: string) => number | undefined {
  const starts = lineStarts(text)
  let cursor = 0
  let budget =
    options.maxPasses === undefined ? Number.POSITIVE_INFINITY : Math.max(options.maxPasses * text.length, 16_000_000)
  return (needle) => {
    if (budget <= 0) return undefined
    let at = text.indexOf(needle, cursor)
    budget -= (at === -1 ? text.length : at) - cursor
    if (at === -1 && cursor > 0) {
      at = text.indexOf(needle)
      budget -= at === -1 ? text.length : at
    }
    if (at === -1) return undefined
    cursor = at + needle.length
    return lineOf(starts, at)
  }
}

/** Keeps the first `maxEntries` dependencies and says so when it drops any. */
export function capped(result: ParseResult, path: string): ParseResult {
  if (result.dependencies.length <= lockfileLimits.maxEntries) return result
  return {
    dependencies: result.dependencies.slice(0, lockfileLimits.maxEntries),
    notes: [
      ...result.notes,
      `${path}: ${result.dependencies.length} entries; only the first ${lockfileLimits.maxEntries} were checked`,
    ],
  }
}

export const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 200)
