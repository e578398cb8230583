// The secrets engine: every blob of the pushed history once (or every file of an archive or folder),
// one finding per distinct secret value with every path and the commit that brought it there. A
// finding never carries the secret: its identity is the SHA-256 of the value, its snippets are redacted.
import { createHash, createHmac } from 'node:crypto'
import { contextOf, severityIn } from '../../context.js'
import {
  type Engine,
  type EngineFinding,
  type FindingLocation,
  readHeadFile,
  type ScanSource,
  type Shard,
  shareOf,
} from '../../engine.js'
import type { CleanBlobs } from '../../reuse.js'
import { type BlobReading, readBlob, readingFromWire, readingToWire, type WireReading } from './blob.js'
import {
  defaultMatchOptions,
  maxFileBytes as defaultMaxFileBytes,
  isSkippedPath,
  type MatchOptions,
  type SecretMatch,
} from './matcher.js'
import { localRedactionKey, type Redactable, redactedSnippet, redactSecret } from './redact.js'
import type { SecretRule } from './rule.js'
import type { SecretlintMode } from './secretlint-layer.js'
import { BlobReaders } from './threads.js'

export type { SecretlintMode }

export interface SecretsOptions extends Partial<MatchOptions> {
  /** Larger files are skipped whole (generated bundles and data dumps, not configuration). */
  maxFileBytes?: number
  /** The second layer: secretlint's recommended preset on no file, on files our prefilter flags, or on all. */
  secretlint?: SecretlintMode
  /**
   * Threads reading blobs (the default rules only). By default 1, the engine's own thread: beside the code
   * engine, as in every full scan, more threads only cost CPU (docs/decisions.md, The engines run at once).
   */
  threads?: number
}

/**
 * A source may carry the key of the redaction hash (`[kind, N chars, #hash]`): the worker sets one per
 * workspace, derived from the deployment's signing secret; without it the fixed local key serves.
 */
export interface SecretsSource extends ScanSource {
  redactionKey?: Uint8Array
}

export interface SecretsStats {
  files: number
  bytes: number
  skipped: { path: number; binary: number; tooLarge: number }
  /** Files the per-file time cap cut short. */
  timedOut: string[]
  /** True when the deadline or a cancellation stopped the scan before every file was read. */
  stoppedEarly: boolean
  secretlintFindings: number
  /** Threads that read blobs: 1 when the engine read them on its own thread. */
  threads: number
}

export interface SecretsScan {
  findings: EngineFinding[]
  stats: SecretsStats
}

/** Places listed on one finding (a DynamoDB item holds 400 KB); `metadata.occurrences` keeps the full count. */
export const maxLocations = 100

const sha256Hex = (value: string) => createHash('sha256').update(value).digest('hex')
const gitBlobOid = (bytes: Buffer) => createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex')

interface Sighting {
  path: string
  commit?: string
  /** The blob it was found in, for telling whether it is still in the head. */
  oid?: string
  match: SecretMatch
  snippet: string
}

interface Group {
  rule: SecretRule
  identity: string
  redacted: string
  source: 'vega' | 'secretlint'
  /** Why the rule fired, for a reviewer: by format, or by the name it is assigned to and its shape. */
  why: string
  sightings: Sighting[]
}

/** The name a value is assigned to on its line (`DB_PASSWORD = "…"` → `DB_PASSWORD`), never the value. */
const assignedName = /([A-Za-z_][\w.-]{0,60})["'\]]?[ \t]*(?::=|=>|=|:)[ \t]*["'`]?$|(--?[A-Za-z][\w-]{0,40})[ =]?$/

/** `redact` hides any secret of the file the name might hold (a name is never the value, but be sure). */
function whyOf(match: SecretMatch, source: Group['source'], redact: (text: string) => string): string {
  if (source === 'secretlint') return `format (secretlint rule ${match.rule.id})`
  if (match.rule.vetoes !== false) return `format (${match.rule.title})`
  const name = assignedName.exec(match.line.slice(0, match.column))
  const key = name?.[1] ?? name?.[2]
  return key ? `name \`${redact(key)}\` and the value's shape` : "keyword and the value's shape"
}

/**
 * Fingerprint v2 of a secret finding: an HMAC, under the workspace's key, of the rule and the hash of the
 * value. The same key in two files is one finding, and the fingerprint (answers and SARIF show it) cannot
 * be checked against guessed passwords as v1's plain SHA-256 could.
 */
export const secretFingerprint = (key: Uint8Array, ruleId: string, identity: string) =>
  createHmac('sha256', key).update(['v2', 'secrets', ruleId, identity].join('\0')).digest('hex')

class Collector {
  readonly groups = new Map<string, Group>()

  constructor(readonly key: Uint8Array) {}

  add(
    matches: SecretMatch[],
    places: { path: string; commit?: string }[],
    oid?: string,
    source: Group['source'] = 'vega',
  ) {
    const secrets: Redactable[] = matches.map((match) => ({
      secret: match.secret,
      value: match.value,
      ruleId: match.rule.id,
    }))
    for (const [index, match] of matches.entries()) {
      const identity = sha256Hex(match.value)
      let group = this.groups.get(identity)
      if (!group) {
        group = {
          rule: match.rule,
          identity,
          redacted: redactSecret(secrets[index]!, this.key),
          source,
          why: whyOf(match, source, (text) => redactedSnippet(text, 0, secrets, this.key)),
          sightings: [],
        }
        this.groups.set(identity, group)
      }
      const snippet = redactedSnippet(match.line, match.column, secrets, this.key)
      for (const place of places) group.sightings.push({ ...place, oid, match, snippet })
    }
  }

  /**
   * True when a longer value holds one already found (secretlint's span around one of ours). The same
   * value is not covered: found again elsewhere, it is another place to clean, added to its finding.
   */
  covers(match: SecretMatch): boolean {
    const identity = sha256Hex(match.value)
    for (const group of this.groups.values())
      if (group.identity !== identity && group.sightings.some((s) => match.secret.includes(s.match.secret))) return true
    return false
  }
}

const stopped = (source: ScanSource) => Date.now() >= source.deadline || !!source.cancelled?.()

/** Below this many bytes to read, starting threads costs more than it saves. */
const threadsFrom = 8 * 1024 * 1024
/**
 * Reading on its own thread, the engine lets the event loop run this often (ms): ast-grep's answers come
 * back through it, and its threads wait for the next batch until they do.
 */
const yieldEvery = 10
/** Blobs handed to the threads ahead of the one applied next: enough to keep every thread busy. */
const readAhead = 64

/** A blob or file handed out for reading, and where its findings will point. */
interface Reading {
  reading: Promise<BlobReading>
  path: string
  places: { path: string; commit?: string }[]
  oid?: string
  bytes: number
}

/** Scans and returns findings with the figures the benchmark and the worker's logs want. */
export async function scanSecrets(source: ScanSource, options: SecretsOptions = {}): Promise<SecretsScan> {
  const read = await readSecrets(source, options)
  return { findings: collectFindings(source, [read]), stats: read.stats }
}

/** A reading with something in it, and the places its findings point at. */
interface Found {
  reading: BlobReading
  places: Reading['places']
  oid?: string
}

/** What one pass over the source (or a shard's share of it) read: readings with matches, in order. */
interface Readings {
  found: Found[]
  stats: SecretsStats
}

/**
 * Reads the planned blobs (only `shard`'s share of them, when given) and keeps the readings that found
 * something, in the order they were planned, so findings never depend on which thread answered first.
 */
async function readSecrets(source: ScanSource, options: SecretsOptions, shard?: Shard): Promise<Readings> {
  const { threads = 1, ...choices } = options
  const matchOptions: MatchOptions = {
    maxMillisPerFile: choices.maxMillisPerFile ?? defaultMatchOptions.maxMillisPerFile,
    rules: choices.rules ?? defaultMatchOptions.rules,
  }
  const maxBytes = choices.maxFileBytes ?? defaultMaxFileBytes
  const secretlint = choices.secretlint ?? 'flagged'
  const stats: SecretsStats = {
    files: 0,
    bytes: 0,
    skipped: { path: 0, binary: 0, tooLarge: 0 },
    timedOut: [],
    stoppedEarly: false,
    secretlintFindings: 0,
    threads: 1,
  }
  // The product's own configuration only: custom rules or limits find other things, so they neither use
  // nor feed the memory of clean blobs, and threads serve the default rules.
  const defaults = Object.keys(choices).length === 0
  const memory = defaults ? source.reuse : undefined
  const headPaths = new Set(source.files.map((file) => file.path))
  const planned = plan(source, stats, maxBytes, headPaths, memory, shard)
  // Threads pay off for what is read, not for what the memory knows clean: a re-push reads a few blobs.
  const volume = planned.reduce((sum, item) => sum + item.size, 0)
  const readers = defaults && threads > 1 && volume >= threadsFrom ? new BlobReaders(threads) : undefined
  if (readers) stats.threads = threads
  const found: Found[] = []

  const queue: Reading[] = []
  const apply = ({ path, places, oid, bytes }: Reading, reading: BlobReading) => {
    if (reading.binary) stats.skipped.binary++
    else {
      stats.files++
      stats.bytes += bytes
      if (reading.timedOut) stats.timedOut.push(path)
    }
    if (reading.matches.length || reading.secondLayer?.length) found.push({ reading, places, oid })
    // Clean: read whole and nothing found by either layer (even what another file's finding covers).
    const clean = !reading.matches.length && !reading.timedOut && !reading.secondLayer?.length
    if (clean && oid) memory?.remember('secrets', oid, path)
  }
  const inspect = async (bytes: Buffer, path: string, places: Reading['places'], oid?: string) => {
    if (oid) memory?.scanned('secrets', bytes.length)
    const reading = readers ? readers.read(bytes, path, secretlint) : readBlob(bytes, path, matchOptions, secretlint)
    queue.push({ reading, path, places, oid, bytes: bytes.length })
    while (queue.length > (readers ? readAhead : 0)) {
      const next = queue.shift()!
      apply(next, await next.reading)
    }
  }

  let yielded = performance.now()
  try {
    for (const item of planned) {
      if (stopped(source)) {
        stats.stoppedEarly = true
        break
      }
      const bytes = item.oid ? source.readBlob(item.oid) : readHeadFile(source, item.path)
      await inspect(bytes, item.path, item.places, item.oid)
      if (!readers && performance.now() - yielded > yieldEvery) {
        await new Promise((resolve) => setImmediate(resolve))
        yielded = performance.now()
      }
    }
    for (const next of queue.splice(0)) apply(next, await next.reading)
  } finally {
    await readers?.close()
  }
  return { found, stats }
}

/**
 * The findings of one or more passes, taken in order: every first-layer match, then the second layer's
 * matches that no first-layer finding covers (the figure is added to the first pass's stats).
 */
function collectFindings(source: ScanSource, passes: Readings[]): EngineFinding[] {
  const collector = new Collector((source as SecretsSource).redactionKey ?? localRedactionKey)
  const secondLayer: { matches: SecretMatch[]; places: Reading['places']; oid?: string }[] = []
  for (const { found } of passes)
    for (const { reading, places, oid } of found) {
      collector.add(reading.matches, places, oid)
      if (reading.secondLayer) secondLayer.push({ matches: reading.secondLayer, places, oid })
    }
  let extras = 0
  for (const pending of secondLayer) {
    const extra = pending.matches.filter((match) => !collector.covers(match))
    extras += extra.length
    collector.add(extra, pending.places, pending.oid, 'secretlint')
  }
  if (passes[0]) passes[0].stats.secretlintFindings += extras
  return toFindings(collector, source, new Set(source.files.map((file) => file.path)))
}

/** A shard's readings as data (shared/worker/shards.ts keeps them sealed until the merge). */
interface ReadingsPart {
  found: (Omit<Found, 'reading'> & { reading: WireReading })[]
  stats: SecretsStats
}

const partOf = ({ found, stats }: Readings): ReadingsPart => ({
  found: found.map((item) => ({ ...item, reading: readingToWire(item.reading) })),
  stats,
})

const readingsOf = ({ found, stats }: ReadingsPart): Readings => ({
  found: found.map((item) => ({ ...item, reading: readingFromWire(item.reading) })),
  stats,
})

/** A blob or head file to read, and the path its findings are read at. */
interface Planned {
  path: string
  places: Reading['places']
  oid?: string
  size: number
}

/**
 * What the engine reads, in order: every blob of the history once (or, without history, every head
 * file), or a shard's share of them, less skipped paths, what is too large and what the memory knows
 * clean (each counted).
 */
function plan(
  source: ScanSource,
  stats: SecretsStats,
  maxBytes: number,
  headPaths: Set<string>,
  memory?: CleanBlobs,
  shard?: Shard,
): Planned[] {
  const planned: Planned[] = []
  const history = source.history.blobs
  if (history.size === 0) {
    for (const file of shard ? shareOf(source.files, (file) => file.size, shard) : source.files) {
      if (isSkippedPath(file.path)) stats.skipped.path++
      else if (file.size > maxBytes) stats.skipped.tooLarge++
      else planned.push({ path: file.path, places: [{ path: file.path }], size: file.size })
    }
    return planned
  }
  const blobs = [...history.values()]
  for (const blob of shard ? shareOf(blobs, (blob) => blob.size, shard) : blobs) {
    const paths = blob.paths.filter((place) => !isSkippedPath(place.path))
    stats.skipped.path += blob.paths.length - paths.length
    if (!paths.length) continue
    if (blob.size > maxBytes) {
      stats.skipped.tooLarge++
      continue
    }
    const primary = paths.find((place) => headPaths.has(place.path)) ?? paths[0]!
    if (memory?.reuse('secrets', blob.oid, primary.path, blob.size)) continue
    planned.push({ path: primary.path, places: paths, oid: blob.oid, size: blob.size })
  }
  return planned
}

function toFindings(collector: Collector, source: ScanSource, headPaths: Set<string>): EngineFinding[] {
  const commitOrder = new Map(source.history.commits.map((commit, index) => [commit, index]))
  const order = (commit?: string) => (commit === undefined ? -1 : (commitOrder.get(commit) ?? Number.MAX_SAFE_INTEGER))
  // Which head file is which blob: a git head's files say; a folder's are hashed, only for the few paths
  // a secret was found at.
  const headFiles = new Map(source.files.map((file) => [file.path, file]))
  const headOids = new Map<string, string | undefined>()
  const headOid = (path: string) => {
    if (!headOids.has(path)) {
      const file = headFiles.get(path)
      let oid: string | undefined
      try {
        oid = file ? (file.oid ?? gitBlobOid(readHeadFile(source, path))) : undefined
      } catch {
        oid = undefined
      }
      headOids.set(path, oid)
    }
    return headOids.get(path)
  }
  const inHead = (s: Sighting) => (s.oid === undefined ? headPaths.has(s.path) : headOid(s.path) === s.oid)

  const findings: EngineFinding[] = []
  for (const group of collector.groups.values()) {
    // Every line of a path holding the value, read from one version of the file: the head's when the
    // secret is still there, else the first that brought it; the commit is the one that first brought it
    // to that path. Users must clean every place, and old line numbers of edited files would only mislead.
    const byPath = new Map<string, Sighting[]>()
    for (const sighting of group.sightings) byPath.set(sighting.path, [...(byPath.get(sighting.path) ?? []), sighting])
    const sightings: Sighting[] = []
    for (const seen of byPath.values()) {
      const first = seen.reduce((a, b) => (order(b.commit) < order(a.commit) ? b : a))
      const shown = seen.find(inHead) ?? first
      const lines = new Set<number>()
      for (const sighting of seen)
        if (sighting.oid === shown.oid && !lines.has(sighting.match.startLine)) {
          lines.add(sighting.match.startLine)
          sightings.push({ ...sighting, commit: first.commit })
        }
    }
    sightings.sort(
      (a, b) =>
        order(a.commit) - order(b.commit) || a.path.localeCompare(b.path) || a.match.startLine - b.match.startLine,
    )
    const present = group.sightings.some(inHead)
    // The primary location: in the product's own code over tests, examples, docs, vendored or build
    // material (a value anywhere in product code is product code), then in the head over the history.
    const isHead = (s: Sighting) => headPaths.has(s.path) && group.sightings.some((o) => o.path === s.path && inHead(o))
    const rank = (s: Sighting) => (contextOf(s.path) ? 2 : 0) + (isHead(s) ? 0 : 1)
    const primaryIndex = sightings.reduce((best, s, index) => (rank(s) < rank(sightings[best]!) ? index : best), 0)
    const [primary] = sightings.splice(primaryIndex, 1)
    const inProduct = [primary!, ...sightings].some((s) => !contextOf(s.path))
    // A stand-in body everywhere it was seen (`sk_live_AAAA…`): an example wherever it sits.
    const example = group.sightings.every((s) => s.match.example)
    const context = example ? (contextOf(primary!.path) ?? 'example') : inProduct ? undefined : contextOf(primary!.path)
    const occurrences = sightings.length + 1
    const ordered = [primary!, ...sightings].slice(0, maxLocations)
    const locations: FindingLocation[] = ordered.map((s) => ({
      path: s.path,
      start_line: s.match.startLine,
      end_line: s.match.endLine,
      ...(s.commit ? { commit: s.commit } : {}),
      snippet: s.snippet,
    }))
    const firstCommit = ordered.reduce<string | undefined>(
      (first, s) => (s.commit && (first === undefined || order(s.commit) < order(first)) ? s.commit : first),
      undefined,
    )
    findings.push({
      engine: 'secrets',
      rule_id: group.rule.id,
      severity: example ? 'low' : severityIn(context, group.rule.severity),
      title: group.rule.title,
      message: messageOf(group, occurrences, firstCommit, present),
      cwe: group.rule.cwe,
      fix: group.rule.fix,
      identity: group.identity,
      fingerprint: secretFingerprint(collector.key, group.rule.id, group.identity),
      locations,
      ...(context ? { context } : {}),
      metadata: {
        first_commit: firstCommit ?? null,
        in_head: present,
        redacted: group.redacted,
        paths: new Set(ordered.map((s) => s.path)).size,
        occurrences,
        detector: group.source,
        why: example
          ? `${group.why}; the body is a stand-in in the exact format (a documented example?), so low`
          : context
            ? `${group.why}; in ${context} material (${primary!.path}), one severity lower`
            : group.why,
        ...(group.rule.id === 'vega-api-key' ? { revoke: true } : {}),
      },
    })
  }
  return findings.sort(
    (a, b) => a.locations[0]!.path.localeCompare(b.locations[0]!.path) || a.rule_id.localeCompare(b.rule_id),
  )
}

function messageOf(group: Group, places: number, firstCommit: string | undefined, present: boolean): string {
  const where = places === 1 ? 'in 1 place' : `in ${places} places`
  const since = firstCommit ? `, first committed in ${firstCommit.slice(0, 12)}` : ''
  const history = present ? '' : ' It is no longer in the head but stays in the git history.'
  const revoke = group.rule.id === 'vega-api-key' ? ' Vega revokes this key.' : ' Rotate it.'
  return `${group.rule.title} (${group.redacted}) ${where}${since}.${history}${revoke}`
}

export function createSecretsEngine(options: SecretsOptions = {}): Engine {
  return {
    name: 'secrets',
    run: async (source) => (await scanSecrets(source, options)).findings,
    // A secret is one finding wherever it appears, so shards hand over their readings and the findings
    // are made once, from all of them in order.
    sharded: {
      part: async (source, shard) => partOf(await readSecrets(source, options, shard)),
      merge: async (source, parts) => collectFindings(source, (parts as ReadingsPart[]).map(readingsOf)),
    },
  }
}

export const secretsEngine: Engine = createSecretsEngine()
