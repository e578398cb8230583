// What a finding may show of a secret: at most its first four characters (fewer for short secrets), so
// a reader can tell which key it is and nobody can use it.

export const redactionMark = '****'

/** The secret's visible prefix and the mark; never more than a quarter of the secret, at most 4 characters. */
export function redactSecret(secret: string): string {
  const shown = Math.min(4, Math.floor(secret.length / 4))
  return `${secret.slice(0, shown)}${redactionMark}`
}

const maxSnippet = 200

/**
 * The line a secret starts on, with every secret of the file that touches it replaced by its redacted
 * form, trimmed to 200 characters around the secret. `secrets` are the raw values found in the file.
 */
export function redactedSnippet(line: string, secretStartInLine: number, secrets: readonly string[]): string {
  let text = line
  let anchor = secretStartInLine
  // Longest first, so a secret that contains another is replaced whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    for (const piece of secretPieces(secret)) {
      let at = text.indexOf(piece)
      while (at >= 0) {
        const replacement = redactSecret(piece)
        text = text.slice(0, at) + replacement + text.slice(at + piece.length)
        if (at < anchor) anchor = Math.max(at, anchor - (piece.length - replacement.length))
        at = text.indexOf(piece, at + replacement.length)
      }
    }
  }
  text = text.replace(/\t/g, ' ')
  if (text.length <= maxSnippet) return text.trim()
  const start = Math.max(0, Math.min(anchor - 60, text.length - maxSnippet))
  return `${start > 0 ? '…' : ''}${text.slice(start, start + maxSnippet - 2).trim()}…`
}

/**
 * A multi-line secret (a PEM block) shows on a line only in part: the part on the line is what must go.
 * Parts of 8 characters or more count; shorter ones (`-----`) tell nothing.
 */
function secretPieces(secret: string): string[] {
  const pieces = secret.split(/\r?\n|\\n/).filter((piece) => piece.length >= 8)
  return pieces.length ? pieces : [secret]
}
