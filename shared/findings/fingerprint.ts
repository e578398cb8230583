// A finding's identity across scans. Never a line number: code moves; the fingerprint must not.
// Bump the version when the recipe changes, so stored findings can be told apart from new ones.
import { createHash } from 'node:crypto'
import type { FindingId, RepositoryId } from '../ids.js'
import type { EngineFinding } from '../scanning/engine.js'

export const fingerprintVersion = 1

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

/**
 * v1: a secret is its rule and the hash of its value (the same key in two files is one finding); code
 * and dependencies are their rule, normalised path and normalised matched context.
 */
export function fingerprintOf(
  finding: Pick<EngineFinding, 'engine' | 'rule_id' | 'identity' | 'locations' | 'fingerprint'>,
): string {
  if (finding.fingerprint) return finding.fingerprint
  if (finding.engine === 'secrets')
    return sha256(`v${fingerprintVersion}`, 'secrets', finding.rule_id, finding.identity)
  const path = normalisePath(finding.locations[0]?.path ?? '')
  return sha256(`v${fingerprintVersion}`, finding.engine, finding.rule_id, path, normaliseContext(finding.identity))
}

const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

/** The finding's id: derived from its repository and fingerprint, so every worker names the same one. */
export function findingIdOf(repository: RepositoryId, fingerprint: string): FindingId {
  const digest = createHash('sha256').update(`${repository}\0${fingerprint}`).digest()
  let bits = 0n
  for (const byte of digest.subarray(0, 17)) bits = (bits << 8n) | BigInt(byte)
  let id = ''
  // 26 characters of 5 bits; the first is kept under 8, as in a ULID.
  for (let i = 25; i >= 0; i--) id += crockford[Number((bits >> BigInt(i * 5)) & (i === 25 ? 7n : 31n))]
  return `fnd_${id}` as FindingId
}

/** The path-free part of a code or dependency fingerprint: equal across a rename of the file. */
export const contextKeyOf = (finding: Pick<EngineFinding, 'engine' | 'rule_id' | 'identity'>) =>
  sha256(`v${fingerprintVersion}`, finding.engine, finding.rule_id, normaliseContext(finding.identity))
