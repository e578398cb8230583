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
  const replace = (piece: string, replacement: string) => {
    for (let at = text.indexOf(piece); at >= 0; at = text.indexOf(piece, at + replacement.length)) {
      text = text.slice(0, at) + replacement + text.slice(at + piece.length)
      if (at < anchor) anchor = Math.max(at, anchor - (piece.length - replacement.length))
    }
  }
  // Longest first, so a secret that contains another is replaced whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    replace(secret, redactSecret(secret))
    // A multi-line secret (a PEM block) shows on a line only in part: its first part keeps the visible
    // prefix, the others become the mark. Parts under 8 characters (`-----`) tell nothing.
    const pieces = secret.split(/\r?\n|\\n/).filter((piece) => piece.length >= 8)
    if (pieces.length > 1)
      for (const [index, piece] of pieces.entries()) replace(piece, index ? redactionMark : redactSecret(piece))
  }
  text = text.replace(/\t/g, ' ')
  if (text.length <= maxSnippet) return text.trim()
  const start = Math.max(0, Math.min(anchor - 60, text.length - maxSnippet))
  return `${start > 0 ? '…' : ''}${text.slice(start, start + maxSnippet - 2).trim()}…`
}
