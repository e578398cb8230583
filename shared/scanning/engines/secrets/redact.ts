// What a finding may show of a secret: the public part of its format (a vendor prefix such as `ghp_`,
// `AKIA`, `sk_live_`, a PEM header, the user of a `user:password` pair) and nothing of its own
// characters. The rest becomes `[<kind>, <N> chars, #<hash>]`: the rule's name, the hidden part's length and
// the first 6 hex digits of an HMAC-SHA256 of the value under a key the deployment keeps (one per
// workspace in the worker, derived from its signing secret; a fixed local key for `npm run scan`). Two
// findings can be told apart by the hash, and without the key the hash cannot be tested against guesses.
import { createHmac } from 'node:crypto'

/** A secret as the engine knows it: the raw text, the value that identifies it, the rule that found it. */
export interface Redactable {
  secret: string
  /** The normalised value (a PEM body without line breaks); the hash is of it, so one key hashes alike. */
  value?: string
  ruleId?: string
}

/**
 * The key of local runs (`npm run scan`, tests, benchmarks): fixed, so hashes compare across runs of one
 * machine's CLI. The worker passes a per-workspace key derived from the deployment's signing secret.
 */
export const localRedactionKey: Uint8Array = Buffer.from('vega-local-secret-redaction-key-v1', 'utf8')

/** Length of the keyed hash shown: 24 bits tells findings apart; the key, not the length, stops guessing. */
const hashDigits = 6

/**
 * Public prefixes of known formats: identifiers vendors print in their docs and that name the kind of key,
 * never its random part. Matched at the start of the secret. A PuTTY key's header, comment and public
 * half are public; its Private-Lines are not.
 */
const publicPrefixes =
  /^(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|vgk_|gh[pousr]_|github_pat_|glpat-|gldt-|glrt-|glptt-|GR1348941|xox[bpaeors]-|xapp-|(?:sk|rk|pk)_(?:live|test|prod)_|SG\.|npm_|pypi-|AIza|vc[pciark]_|eyJ|sk-ant-(?:api\d\d-)?|sk-proj-|hf_|shp(?:at|ss|ca|pa)_|dop_v1_|doo_v1_|dor_v1_|glc_|sq0atp-|sq0csp-|-----BEGIN[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?-----|PuTTY-User-Key-File-[23]: [^\r\n]*(?:\r?\n(?!Private-Lines:)[^\r\n]*){0,40}\r?\nPrivate-Lines: \d+\r?\n)/

/** The part of a secret that may be shown: its format's public prefix, or the user of `user:password`. */
export function publicPrefixOf(secret: string, ruleId?: string): string {
  if (ruleId === 'database-url-credentials') {
    const colon = secret.indexOf(':')
    return colon > 0 ? secret.slice(0, colon + 1) : ''
  }
  const prefix = publicPrefixes.exec(secret)?.[0] ?? ''
  // A prefix that is the whole value (or nearly) would be the value: show it only with a hidden rest.
  return secret.length - prefix.length >= 8 ? prefix : ''
}

/** The rule's short name: `github-token`; secretlint's `@secretlint/secretlint-rule-aws` is `aws`. */
export const kindOf = (ruleId?: string) => (ruleId ? ruleId.replace(/^.*secretlint-rule-/, '') : 'secret')

/** HMAC-SHA256 of the value under the key, first 6 hex digits. */
export function keyedHash(value: string, key: Uint8Array = localRedactionKey): string {
  return createHmac('sha256', key).update(value, 'utf8').digest('hex').slice(0, hashDigits)
}

const asRedactable = (secret: string | Redactable): Redactable => (typeof secret === 'string' ? { secret } : secret)

/** `ghp_[github-token, 36 chars, #1f9c2a]`; `[generic-password, 8 chars, #07be41]` for a password. */
export function redactSecret(secret: string | Redactable, key: Uint8Array = localRedactionKey): string {
  const item = asRedactable(secret)
  return `${publicPrefixOf(item.secret, item.ruleId)}${markOf(item, key)}`
}

/** `[kind, N chars, #hash]`, N the length of what is hidden (the secret after its public prefix). */
function markOf({ secret, value, ruleId }: Redactable, key: Uint8Array): string {
  const hidden = secret.length - publicPrefixOf(secret, ruleId).length
  return `[${kindOf(ruleId)}, ${hidden} chars, #${keyedHash(value ?? secret, key)}]`
}

/** What stands for the second and later lines of a secret written over several lines (a PEM body). */
export const continuationMark = '[…]'

const maxSnippet = 200

/**
 * The line a secret starts on, with every secret of the file that touches it replaced by its redacted
 * form, trimmed to 200 characters around the secret. `secrets` are the raw values found in the file.
 */
export function redactedSnippet(
  line: string,
  secretStartInLine: number,
  secrets: readonly (string | Redactable)[],
  key: Uint8Array = localRedactionKey,
): string {
  let text = line
  let anchor = secretStartInLine
  const replace = (piece: string, replacement: string) => {
    for (let at = text.indexOf(piece); at >= 0; at = text.indexOf(piece, at + replacement.length)) {
      text = text.slice(0, at) + replacement + text.slice(at + piece.length)
      if (at < anchor) anchor = Math.max(at, anchor - (piece.length - replacement.length))
    }
  }
  // Longest first, so a secret that contains another is replaced whole.
  const all = secrets.map(asRedactable).sort((a, b) => b.secret.length - a.secret.length)
  for (const item of all) {
    if (text.includes(item.secret)) {
      replace(item.secret, redactSecret(item, key))
      continue
    }
    // A multi-line secret (a PEM block) shows on a line only in part: its first part keeps the public
    // prefix and the mark, the others become the continuation mark. Pieces of dashes tell nothing.
    const pieces = item.secret.split(/\r?\n|\\r?\\n/).filter((piece) => piece.length >= 6 && !/^-+$/.test(piece))
    if (pieces.length > 1) {
      const prefix = publicPrefixOf(item.secret, item.ruleId)
      for (const [index, piece] of pieces.entries()) {
        const shown = index === 0 && piece.startsWith(prefix) ? prefix : ''
        replace(piece, index ? continuationMark : `${shown}${markOf(item, key)}`)
      }
    }
  }
  text = text.replace(/\t/g, ' ')
  if (text.length <= maxSnippet) return text.trim()
  const start = Math.max(0, Math.min(anchor - 60, text.length - maxSnippet))
  return `${start > 0 ? '…' : ''}${text.slice(start, start + maxSnippet - 2).trim()}…`
}
