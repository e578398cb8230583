// Text a client sends is stored, listed, logged and put in CSV and SARIF: control characters (NUL, ESC,
// bell; in names also line breaks and tabs) and lone UTF-16 surrogates (not text at all; DynamoDB and
// every UTF-8 consumer choke on them) are refused at the door, naming the field.

// Names (and ids, keys, refs) are one line; other text may hold tabs and line breaks.
const nameLike = /(?:^|_)(?:name|id|key|email|ref|branch|title)$/

const maxDepth = 64

export interface TextIssue {
  path: string
  message: string
}

/**
 * Every string in a parsed JSON value (or query) that is not plain text, with its dotted path; at most 20.
 * A third-party document (a SARIF log, OSV records) keeps its control characters as its tool wrote them
 * (`controls: false`); lone surrogates are refused everywhere.
 */
export function textIssues(value: unknown, prefix: string[], { controls = true } = {}): TextIssue[] {
  const issues: TextIssue[] = []
  const visit = (node: unknown, path: string[], depth: number) => {
    if (issues.length >= 20 || depth > maxDepth) return
    if (typeof node === 'string') {
      const problem = problemOf(node, path.at(-1) ?? '', controls)
      if (problem) issues.push({ path: path.join('.'), message: problem })
    } else if (Array.isArray(node)) {
      for (const [index, item] of node.entries()) visit(item, [...path, String(index)], depth + 1)
    } else if (node && typeof node === 'object') {
      for (const [key, item] of Object.entries(node)) {
        const keyProblem = problemOf(key, 'key', controls)
        if (keyProblem) issues.push({ path: [...path, '(key)'].join('.'), message: keyProblem })
        visit(item, [...path, key], depth + 1)
      }
    }
  }
  visit(value, prefix, 0)
  return issues
}

function problemOf(text: string, field: string, controls: boolean): string | undefined {
  if (!text.isWellFormed()) return 'Holds a lone UTF-16 surrogate: not text'
  if (controls && hasControlCharacter(text, !nameLike.test(field))) return 'Holds a control character'
  return undefined
}

/** C0 controls (but tab, line feed and carriage return where line breaks are allowed), DEL and C1. */
function hasControlCharacter(text: string, lineBreaksAllowed: boolean): boolean {
  for (let at = 0; at < text.length; at++) {
    const code = text.charCodeAt(at)
    if (code < 0x20 && !(lineBreaksAllowed && (code === 0x09 || code === 0x0a || code === 0x0d))) return true
    if (code >= 0x7f && code <= 0x9f) return true
  }
  return false
}
