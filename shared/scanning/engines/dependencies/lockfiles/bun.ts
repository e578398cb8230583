// bun.lock (Bun 1.2+'s text lockfile): JSONC with trailing commas. `workspaces` holds each workspace's declared
// dependencies; `packages` maps an install path (`debug`, `debug/ms`, `util/lodash`) to `[ident, …]`, where the
// ident is `name@version` for a registry package and `name@workspace:…`, `name@file:…`, `name@github:…` otherwise.
import { type Dependency, lineFinder, type ParseResult } from '../types.js'

/**
 * JSONC to JSON in one pass: drops `//` and `/* *\/` comments and a comma whose next token closes an object or an
 * array; strings are skipped whole, so nothing inside them changes.
 */
export function jsoncToJson(text: string): string {
  // Start and end offsets of what is dropped, in order; comments after a comma wait until the comma is decided.
  const dropped: number[] = []
  const held: number[] = []
  let comma = -1
  const settle = (drop: boolean) => {
    if (drop) dropped.push(comma, comma + 1)
    for (const offset of held) dropped.push(offset)
    held.length = 0
    comma = -1
  }
  for (let i = 0; i < text.length; i++) {
    const char = text[i]
    if (char === ' ' || char === '\t' || char === '\n' || char === '\r') continue
    if (char === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) {
      const line = text[i + 1] === '/'
      const end = line ? text.indexOf('\n', i) : text.indexOf('*/', i + 2)
      if (end === -1 && !line) throw new Error('a comment is not closed')
      const stop = end === -1 ? text.length : line ? end : end + 2
      ;(comma === -1 ? dropped : held).push(i, stop)
      i = stop - 1
      continue
    }
    if (comma !== -1) settle(char === '}' || char === ']')
    if (char === ',') comma = i
    else if (char === '"') {
      let end = i + 1
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1
      i = end
    }
  }
  if (comma !== -1) settle(false)
  if (dropped.length === 0) return text
  const parts: string[] = []
  let from = 0
  for (let at = 0; at < dropped.length; at += 2) {
    parts.push(text.slice(from, dropped[at]))
    from = dropped[at + 1]!
  }
  parts.push(text.slice(from))
  return parts.join('')
}

interface BunWorkspace {
  name?: unknown
  dependencies?: unknown
  devDependencies?: unknown
  optionalDependencies?: unknown
  peerDependencies?: unknown
}

const keysOf = (value: unknown) => (value && typeof value === 'object' ? Object.keys(value) : [])

/** `util/@scope/pkg` → [`util`, `@scope/pkg`]: a scoped name spans two segments. */
function installPath(key: string): string[] {
  const segments = key.split('/')
  const path: string[] = []
  for (let i = 0; i < segments.length; i++)
    path.push(
      segments[i]!.startsWith('@') && i + 1 < segments.length ? `${segments[i]}/${segments[++i]}` : segments[i]!,
    )
  return path
}

export function parseBunLock(text: string, path: string): ParseResult {
  const lock = JSON.parse(jsoncToJson(text)) as {
    lockfileVersion?: unknown
    workspaces?: Record<string, BunWorkspace>
    packages?: Record<string, unknown>
  }
  if (typeof lock !== 'object' || lock === null || typeof lock.lockfileVersion !== 'number')
    throw new Error('no lockfileVersion')
  const packages = lock.packages && typeof lock.packages === 'object' ? lock.packages : {}

  // What each workspace asks for itself, by workspace name (a copy nested under a workspace is `name/dep`).
  const declared = new Map<string, Set<string>>()
  for (const workspace of Object.values(lock.workspaces ?? {})) {
    if (!workspace || typeof workspace !== 'object') continue
    const names = new Set(
      [workspace.dependencies, workspace.devDependencies, workspace.optionalDependencies, workspace.peerDependencies]
        .flatMap(keysOf)
        .map(String),
    )
    declared.set(typeof workspace.name === 'string' ? workspace.name : '', names)
  }
  const isDirect = (parents: string[], installedAs: string) => {
    if (parents.length === 1) return declared.get(parents[0]!)?.has(installedAs) === true
    if (parents.length > 1) return false
    // A hoisted copy serves each workspace that declares it and has no copy of its own.
    for (const [workspace, names] of declared)
      if (names.has(installedAs) && !(workspace && Object.hasOwn(packages, `${workspace}/${installedAs}`))) return true
    return false
  }

  const find = lineFinder(text, { maxPasses: 8 })
  const dependencies: Dependency[] = []
  for (const [key, entry] of Object.entries(packages)) {
    const ident = Array.isArray(entry) ? entry[0] : undefined
    if (typeof ident !== 'string') continue
    const at = ident.lastIndexOf('@')
    if (at <= 0) continue
    const version = ident.slice(at + 1)
    // Workspaces, links, folders, git and tarball URLs have no registry version.
    if (!/^\d+\.\d+\.\d+/.test(version)) continue
    const segments = installPath(key)
    dependencies.push({
      ecosystem: 'npm',
      name: ident.slice(0, at),
      version,
      path,
      line: find(`"${key}": [`),
      direct: isDirect(segments.slice(0, -1), segments.at(-1)!),
    })
  }
  return { dependencies, notes: [] }
}
