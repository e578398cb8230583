// The OSV fields Vega reads (https://ossf.github.io/osv-schema/), and whether a package version is affected.
// Unknown fields are kept, so a record stored after parsing is the record as published.
import * as z from '../../../zod.js'
import { isEcosystem, normalisePackageName } from './types.js'
import { type Comparator, comparators, mayBeEqual } from './versions.js'

const RangeEvent = z.looseObject({
  introduced: z.optional(z.string()),
  fixed: z.optional(z.string()),
  last_affected: z.optional(z.string()),
  limit: z.optional(z.string()),
})

const Range = z.looseObject({
  type: z.string(),
  repo: z.optional(z.string()),
  events: z.array(RangeEvent),
})

const Affected = z.looseObject({
  package: z.optional(z.looseObject({ ecosystem: z.string(), name: z.string(), purl: z.optional(z.string()) })),
  ranges: z.optional(z.array(Range)),
  versions: z.optional(z.array(z.string())),
  database_specific: z.optional(z.record(z.string(), z.unknown())),
})

export const OsvRecord = z.looseObject({
  id: z.string().check(z.minLength(1), z.maxLength(200)),
  modified: z.string(),
  published: z.optional(z.string()),
  withdrawn: z.optional(z.string()),
  aliases: z.optional(z.array(z.string())),
  summary: z.optional(z.string()),
  details: z.optional(z.string()),
  severity: z.optional(z.array(z.looseObject({ type: z.string(), score: z.string() }))),
  affected: z.optional(z.array(Affected)),
  database_specific: z.optional(
    z.looseObject({
      severity: z.optional(z.string()),
      cwe_ids: z.optional(z.array(z.string())),
    }),
  ),
})
export type OsvRecord = z.infer<typeof OsvRecord>

/** The largest record stored: DynamoDB items stop at 400 KB; real records (long version lists) stay well under. */
export const osvRecordMaxBytes = 300 * 1024
type OsvAffected = z.infer<typeof Affected>
type OsvRange = z.infer<typeof Range>

/** `Debian:11` and `Alpine:v3.16` name releases of an ecosystem; the ones Vega matches have no suffix. */
const baseEcosystem = (ecosystem: string) => ecosystem.split(':')[0]!

/** The entries of a record that name this package (a record may list one package in several entries). */
export function affectedEntriesFor(record: OsvRecord, ecosystem: string, name: string): OsvAffected[] {
  const wanted = normalisePackageName(ecosystem, name)
  return (record.affected ?? []).filter(
    (entry) =>
      entry.package !== undefined &&
      baseEcosystem(entry.package.ecosystem) === ecosystem &&
      normalisePackageName(ecosystem, entry.package.name) === wanted,
  )
}

/** The packages a record affects, once each: what the store files it under. */
export function packagesOf(record: OsvRecord): { ecosystem: string; name: string }[] {
  const seen = new Map<string, { ecosystem: string; name: string }>()
  for (const entry of record.affected ?? []) {
    if (!entry.package) continue
    const ecosystem = baseEcosystem(entry.package.ecosystem)
    const name = normalisePackageName(ecosystem, entry.package.name)
    seen.set(`${ecosystem}\u0000${name}`, { ecosystem, name })
  }
  return [...seen.values()]
}

/**
 * The OSV evaluation of one range: walk the events in version order; `introduced` opens, `fixed` closes at it,
 * `last_affected` closes after it, and `limit` caps the range. Undefined when a version in it cannot be read.
 */
function inRange(range: OsvRange, version: string, compare: Comparator): boolean | undefined {
  const events = range.events.flatMap((event) =>
    (['introduced', 'fixed', 'last_affected', 'limit'] as const)
      .filter((kind) => event[kind] !== undefined)
      .map((kind) => ({ kind, at: event[kind]! })),
  )
  const order = (a: string, b: string) => (a === '0' ? (b === '0' ? 0 : -1) : b === '0' ? 1 : compare(a, b))
  for (const event of events)
    if (event.at !== '0' && event.at !== '*' && compare(event.at, event.at) === undefined) return undefined
  const sorted = events.filter((event) => event.kind !== 'limit').sort((a, b) => order(a.at, b.at) ?? 0)
  for (const limit of events.filter((event) => event.kind === 'limit'))
    if (limit.at !== '*' && (compare(version, limit.at) ?? -1) >= 0) return false
  let affected = false
  for (const event of sorted) {
    if (event.kind === 'introduced') {
      if (event.at === '0' || (compare(version, event.at) ?? -1) >= 0) affected = true
    } else if (event.kind === 'fixed') {
      if ((compare(version, event.at) ?? -1) >= 0) affected = false
    } else if ((compare(version, event.at) ?? 0) > 0) affected = false
  }
  return affected
}

/** Whether `name@version` in `ecosystem` is affected by the record: an explicit version, or an ECOSYSTEM/SEMVER range. */
export function isAffected(record: OsvRecord, ecosystem: string, name: string, version: string): boolean {
  if (record.withdrawn || !isEcosystem(ecosystem)) return false
  const compare = comparators[ecosystem]
  if (compare(version, version) === undefined) return false
  const maybe = mayBeEqual[ecosystem] ?? (() => true)
  for (const entry of affectedEntriesFor(record, ecosystem, name)) {
    if (
      entry.versions?.some((listed) => listed === version || (maybe(listed, version) && compare(listed, version) === 0))
    )
      return true
    for (const range of entry.ranges ?? []) {
      // GIT ranges name commits, which a lockfile's version cannot be placed among.
      if (range.type !== 'ECOSYSTEM' && range.type !== 'SEMVER') continue
      if (inRange(range, version, compare)) return true
    }
  }
  return false
}

/** The versions that fix the record for this package above `version`, lowest first (the nearest upgrade first). */
export function fixedVersionsAbove(record: OsvRecord, ecosystem: string, name: string, version: string): string[] {
  if (!isEcosystem(ecosystem)) return []
  const compare = comparators[ecosystem]
  const fixes = new Set<string>()
  for (const entry of affectedEntriesFor(record, ecosystem, name))
    for (const range of entry.ranges ?? [])
      if (range.type === 'ECOSYSTEM' || range.type === 'SEMVER')
        for (const event of range.events)
          if (event.fixed !== undefined && (compare(event.fixed, version) ?? 0) > 0) fixes.add(event.fixed)
  return [...fixes].sort((a, b) => compare(a, b) ?? 0)
}

/** The last affected versions at or above `version`, for records that name no fix. */
export function lastAffectedAtOrAbove(record: OsvRecord, ecosystem: string, name: string, version: string): string[] {
  if (!isEcosystem(ecosystem)) return []
  const compare = comparators[ecosystem]
  return affectedEntriesFor(record, ecosystem, name).flatMap((entry) =>
    (entry.ranges ?? []).flatMap((range) =>
      range.events.flatMap((event) =>
        event.last_affected !== undefined && (compare(event.last_affected, version) ?? -1) >= 0
          ? [event.last_affected]
          : [],
      ),
    ),
  )
}
