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
