// uv.lock (TOML) and PEP 751's pylock.toml. Only packages from an index are PyPI releases: git, URL, path and
// directory sources (and the project itself) have no PyPI advisories to match.
import { parse } from 'smol-toml'
import { type Dependency, lineFinder, normalisePackageName, type ParseResult } from '../types.js'

interface UvPackage {
  name?: unknown
  version?: unknown
  source?: Record<string, unknown>
  dependencies?: unknown
  'optional-dependencies'?: unknown
  'dev-dependencies'?: unknown
}

const namesIn = (list: unknown): string[] =>
  Array.isArray(list)
    ? list.flatMap((item) => (typeof item?.name === 'string' ? [normalisePackageName('PyPI', item.name)] : []))
    : []
/** `optional-dependencies` and `dev-dependencies` are tables of lists, one per extra or group. */
const namesInGroups = (groups: unknown): string[] =>
  groups && typeof groups === 'object' ? Object.values(groups).flatMap(namesIn) : []

export function parseUvLock(text: string, path: string): ParseResult {
  const lock = parse(text) as { version?: unknown; manifest?: { members?: unknown }; package?: unknown }
  if (typeof lock.version !== 'number') throw new Error('no lockfile version')
  const packages = (Array.isArray(lock.package) ? lock.package : []) as UvPackage[]

  // The workspace: its members (uv lists them when there is more than one) and the project at the root.
  const listed = lock.manifest?.members
  const members = new Set(
    (Array.isArray(listed) ? listed : [])
      .filter((name): name is string => typeof name === 'string')
      .map((name) => normalisePackageName('PyPI', name)),
  )
  const direct = new Set<string>()
  for (const entry of packages) {
    if (typeof entry.name !== 'string') continue
    const atRoot = entry.source?.editable === '.' || entry.source?.virtual === '.'
    if (!atRoot && !members.has(normalisePackageName('PyPI', entry.name))) continue
    for (const name of [
      ...namesIn(entry.dependencies),
      ...namesInGroups(entry['optional-dependencies']),
      ...namesInGroups(entry['dev-dependencies']),
    ])
      direct.add(name)
  }

  // Line numbers count `\n` alone, so a checkout with CRLF endings finds the same lines.
  const find = lineFinder(text.includes('\r') ? text.replace(/\r/g, '') : text, { maxPasses: 8 })
  const dependencies: Dependency[] = []
  for (const entry of packages) {
    if (typeof entry.name !== 'string' || typeof entry.version !== 'string') continue
    if (typeof entry.source?.registry !== 'string') continue
    const name = normalisePackageName('PyPI', entry.name)
    dependencies.push({
      ecosystem: 'PyPI',
      name,
      version: entry.version,
      path,
      // A package can be locked at two versions (one per Python or platform fork), so the version is part of it.
      line: find(`name = "${entry.name}"\nversion = "${entry.version}"`),
      direct: direct.has(name),
    })
  }
  return { dependencies, notes: [] }
}

interface PylockPackage {
  name?: unknown
  version?: unknown
  vcs?: unknown
  directory?: unknown
  archive?: unknown
}

/** pylock.toml does not say which packages were asked for, so `direct` stays unknown. */
export function parsePylock(text: string, path: string): ParseResult {
  const lock = parse(text) as { 'lock-version'?: unknown; packages?: unknown }
  if (typeof lock['lock-version'] !== 'string') throw new Error('no lock-version')
  if (!Array.isArray(lock.packages)) throw new Error('no [[packages]]')
  const source = text.includes('\r') ? text.replace(/\r/g, '') : text
  const find = lineFinder(source, { maxPasses: 8 })
  // Writers quote names with either quote; one style per file, so a miss does not rescan the file per package.
  const quote = source.includes('\nname = "') ? '"' : "'"
  const dependencies: Dependency[] = []
  for (const entry of lock.packages as PylockPackage[]) {
    if (typeof entry?.name !== 'string' || typeof entry.version !== 'string') continue
    // Index releases come as `sdist` and `wheels`; a VCS checkout, a local directory or an archive URL is not one.
    if (entry.vcs !== undefined || entry.directory !== undefined || entry.archive !== undefined) continue
    // The match starts at the newline before the name, one line above it.
    const before = find(`\nname = ${quote}${entry.name}${quote}`)
    dependencies.push({
      ecosystem: 'PyPI',
      name: normalisePackageName('PyPI', entry.name),
      version: entry.version,
      path,
      line: before === undefined ? undefined : before + 1,
    })
  }
  return { dependencies, notes: [] }
}
