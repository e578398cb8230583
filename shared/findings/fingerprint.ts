// A finding's identity across scans. Never a line number: code moves; the fingerprint must not.
// Bump the version when the recipe changes, so stored findings can be told apart from new ones.
import { createHash } from 'node:crypto'
import { derivedId, type FindingId, type RepositoryId } from '../ids.js'
import type { EngineFinding } from '../scanning/engine.js'

/**
 * The recipe's version per engine. Secrets are at 2: v1 hashed the value without a key, and a SHA-256 of
 * an eight-character password is found again by trying passwords; v2 is keyed per workspace.
 */
const versions: Record<string, number> = { secrets: 2 }
export const fingerprintVersionOf = (engine: string) => versions[engine] ?? 1

/** `./a//b\\c.js` and `a/b/c.js` are one path. */
export const normalisePath = (path: string) =>
  path
    .replace(/\\/g, '/')
    .split('/')
    .filter((part) => part !== '' && part !== '.')
    .join('/')

/** Matched code without whitespace: re-indenting, re-wrapping or a formatter's spacing keeps the fingerprint. */
export const normaliseContext = (text: string) => text.replace(/\s+/g, '')

const sha256 = (...parts: string[]) => createHash('sha256').update(parts.join('\0')).digest('hex')

/** What v1 named a secret finding: kept only to find a finding stored before v2 and carry it over. */
export const secretFingerprintV1 = (finding: Pick<EngineFinding, 'rule_id' | 'identity'>) =>
  sha256('v1', 'secrets', finding.rule_id, finding.identity)

/** Code and dependencies, v1: their rule, normalised path and normalised matched context. */
export function fingerprintOf(
  finding: Pick<EngineFinding, 'engine' | 'rule_id' | 'identity' | 'locations' | 'fingerprint'>,
): string {
  if (finding.fingerprint) return finding.fingerprint
  // Secrets v2 is an HMAC under the workspace's key, which only the secrets engine holds (`secretFingerprint`).
  if (finding.engine === 'secrets') throw new Error('a secret finding is fingerprinted by the secrets engine, keyed')
  const path = normalisePath(finding.locations[0]?.path ?? '')
  return sha256('v1', finding.engine, finding.rule_id, path, normaliseContext(finding.identity))
}

/** The finding's id: derived from its repository and fingerprint, so every worker names the same one. */
export const findingIdOf = (repository: RepositoryId, fingerprint: string): FindingId =>
  derivedId('finding', repository, fingerprint)

/** The path-free part of a code or dependency fingerprint: equal across a rename of the file. */
export const contextKeyOf = (finding: Pick<EngineFinding, 'engine' | 'rule_id' | 'identity'>) =>
  sha256('v1', finding.engine, finding.rule_id, normaliseContext(finding.identity))
