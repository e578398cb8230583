// Whether any part of a secret beyond its public prefix shows in some output (answers, logs, SARIF, git's
// remote lines): every window of `width` characters of the secret's own characters is looked for.
import { publicPrefixOf } from '../../shared/scanning/engines/secrets/redact.js'

/** The pieces of `secret`'s body (public prefix and PEM armour lines left out) that appear in `output`. */
export function leakedPieces(output: string, secret: string, ruleId?: string, width = 4): string[] {
  const body = secret.slice(publicPrefixOf(secret, ruleId).length)
  const leaked = new Set<string>()
  for (const line of body.split(/\r?\n|\\n/)) {
    if (/^-----(?:BEGIN|END)[ A-Z0-9_-]*-----$/.test(line.trim())) continue
    for (let at = 0; at + width <= line.length; at++) {
      const piece = line.slice(at, at + width)
      if (output.includes(piece)) leaked.add(piece)
    }
  }
  return [...leaked]
}

/**
 * A secret body no id or hash in the output can hold by chance: every 4 characters have an uppercase
 * letter (hex is lowercase) and a lowercase letter past `f` (Crockford ids are uppercase), so a 4-character
 * window of it found anywhere is a leak, not a coincidence.
 */
export function unmistakable(length: number): string {
  const classes = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'ghijkmnpqrstuvwxyz', '23456789']
  return Array.from(crypto.getRandomValues(new Uint8Array(length)), (byte, index) => {
    const alphabet = classes[index % 3]!
    return alphabet[byte % alphabet.length]
  }).join('')
}
