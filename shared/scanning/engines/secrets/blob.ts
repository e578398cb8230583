// One file's or blob's reading by both layers: what the secrets engine does per blob, alone, so it can
// run on the engine's thread or on a worker thread (./threads.ts) with the same result.
import { Literals } from './literals.js'
import {
  defaultMatchOptions,
  isBinary,
  keywordsOf,
  type MatchOptions,
  matchSecrets,
  type SecretMatch,
} from './matcher.js'
import type { SecretRule } from './rule.js'
import {
  flagsSecretlint,
  type SecretlintMode,
  secretlintMatches,
  secretlintRule,
  secretlintWords,
} from './secretlint-layer.js'

export interface BlobReading {
  binary: boolean
  /** The per-file time cap cut the first layer short. */
  timedOut: boolean
  matches: SecretMatch[]
  /** secretlint's matches on spans the first layer did not judge; undefined when it did not run. */
  secondLayer?: SecretMatch[]
}

const scanners = new WeakMap<readonly SecretRule[], Literals>()

/** Both layers' words at once (one pass over the text): the rules' keywords, secretlint's and `://`. */
function wordsOf(rules: readonly SecretRule[]): Literals {
  let scanner = scanners.get(rules)
  if (!scanner) {
    scanner = new Literals([...keywordsOf(rules), ...secretlintWords, '://'])
    scanners.set(rules, scanner)
  }
  return scanner
}

export async function readBlob(
  bytes: Uint8Array,
  path: string,
  options: MatchOptions,
  secretlint: SecretlintMode,
): Promise<BlobReading> {
  if (isBinary(bytes)) return { binary: true, timedOut: false, matches: [] }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
  const present = wordsOf(options.rules).in(text)
  const result = matchSecrets(text, path, options, present)
  const reading: BlobReading = { binary: false, timedOut: result.timedOut, matches: result.matches }
  if (secretlint === 'all' || (secretlint === 'flagged' && flagsSecretlint(text, present)))
    reading.secondLayer = await secretlintMatches(text, path, [...result.matches, ...result.refused])
  return reading
}

/**
 * A reading as data, to cross a thread or be kept between a sharded scan's invocations: rules named by
 * id (a rule holds functions). Only the product's default rules and secretlint's come back by name.
 */
export type WireMatch = Omit<SecretMatch, 'rule'> & { rule: { id: string; title: string } }
export type WireReading = Omit<BlobReading, 'matches' | 'secondLayer'> & {
  matches: WireMatch[]
  secondLayer?: WireMatch[]
}

const toWire = (match: SecretMatch): WireMatch => ({ ...match, rule: { id: match.rule.id, title: match.rule.title } })

const ourRules = new Map(defaultMatchOptions.rules.map((rule) => [rule.id, rule]))
const ruleOf = (wire: WireMatch['rule']): SecretRule => ourRules.get(wire.id) ?? secretlintRule(wire.id, wire.title)
const fromWire = (match: WireMatch): SecretMatch => ({ ...match, rule: ruleOf(match.rule) })

export const readingToWire = (reading: BlobReading): WireReading => ({
  ...reading,
  matches: reading.matches.map(toWire),
  secondLayer: reading.secondLayer?.map(toWire),
})

export const readingFromWire = (wire: WireReading): BlobReading => ({
  ...wire,
  matches: wire.matches.map(fromWire),
  secondLayer: wire.secondLayer?.map(fromWire),
})
