// go.mod (the build list since Go 1.17: direct requirements and, marked `// indirect`, the rest) and go.sum.
import type { Dependency, ParseResult } from '../types.js'

const stripComment = (line: string) => line.replace(/\/\/.*$/, '').trim()
const unquote = (token: string) => token.replace(/^"(.*)"$/, '$1')

export function parseGoMod(text: string, path: string): ParseResult {
  const lines = text.split('\n')
  if (!lines.some((line) => /^\s*module\s+\S/.test(line))) throw new Error('no module directive')
  const required = new Map<string, Dependency>()
  const replacements: { from: string; fromVersion?: string; to: string; toVersion?: string }[] = []
  let block: 'require' | 'replace' | undefined

  const take = (directive: 'require' | 'replace', body: string, raw: string, lineNumber: number) => {
    if (directive === 'require') {
      const [module, version] = stripComment(body).split(/\s+/)
      if (!module || !version) throw new Error(`line ${lineNumber}: a require needs a module and a version`)
      required.set(unquote(module), {
        ecosystem: 'Go',
        name: unquote(module),
        version,
        path,
        line: lineNumber,
        direct: !/\/\/\s*indirect\b/.test(raw),
      })
      return
    }
    const [left, right] = stripComment(body).split('=>')
    const [from, fromVersion] = (left ?? '').trim().split(/\s+/)
    const [to, toVersion] = (right ?? '').trim().split(/\s+/)
    if (!from || !to) throw new Error(`line ${lineNumber}: a replace needs both sides of =>`)
    replacements.push({ from: unquote(from), fromVersion, to: unquote(to), toVersion })
  }

  for (const [index, raw] of lines.entries()) {
    const line = stripComment(raw)
    if (block) {
      if (line === ')') block = undefined
      else if (line !== '') take(block, line, raw, index + 1)
      continue
    }
    const directive = /^(require|replace)\s*(\(|.+)$/.exec(line)
    if (!directive) continue
    if (directive[2] === '(') block = directive[1] as 'require' | 'replace'
    else take(directive[1] as 'require' | 'replace', directive[2]!, raw, index + 1)
  }

  for (const replacement of replacements) {
    const dependency = required.get(replacement.from)
    if (!dependency || (replacement.fromVersion && replacement.fromVersion !== dependency.version)) continue
    // A replacement by a local folder is the project's own code; by a module, that module is what builds.
    if (!replacement.toVersion) required.delete(replacement.from)
    else required.set(replacement.from, { ...dependency, name: replacement.to, version: replacement.toVersion })
  }
  return { dependencies: [...required.values()], notes: [] }
}

/** go.sum lists every module version the go command verified, not only the build list: used without a go.mod. */
export function parseGoSum(text: string, path: string): ParseResult {
  const dependencies: Dependency[] = []
  const seen = new Set<string>()
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim()
    if (line === '') continue
    const [module, version, hash] = line.split(/\s+/)
    if (!module || !version || !hash?.startsWith('h1:'))
      throw new Error(`line ${index + 1}: not "module version h1:hash"`)
    // `/go.mod` lines hash only a module's go.mod, read while resolving versions that may never be built.
    if (version.endsWith('/go.mod') || seen.has(`${module}@${version}`)) continue
    seen.add(`${module}@${version}`)
    dependencies.push({ ecosystem: 'Go', name: module, version, path, line: index + 1 })
  }
  return { dependencies, notes: [] }
}
