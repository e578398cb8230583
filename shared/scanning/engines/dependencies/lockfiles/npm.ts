// package-lock.json (and npm-shrinkwrap.json): v1's nested `dependencies` tree, v2/v3's flat `packages` map.
import { type Dependency, lineFinder, type ParseResult } from '../types.js'
import { waysIn } from './graph.js'

interface V1Entry {
  version?: string
  dependencies?: Record<string, V1Entry>
}
interface V2Entry {
  name?: string
  version?: string
  link?: boolean
  /** Needed only to develop the project (npm marks what no runtime dependency needs). */
  dev?: boolean
  devOptional?: boolean
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
}

/** `npm:real-name@1.2.3` is an alias: the installed package is real-name. */
function resolveAlias(name: string, version: string): { name: string; version: string } {
  if (!version.startsWith('npm:')) return { name, version }
  const spec = version.slice(4)
  const at = spec.lastIndexOf('@')
  return at > 0 ? { name: spec.slice(0, at), version: spec.slice(at + 1) } : { name, version }
}

/** Registry versions only: git URLs, tarballs and `file:` links have no advisories to match. */
const isRegistryVersion = (version: string) => /^\d+\.\d+\.\d+/.test(version)

/** Node's lookup: `name` required from the package at `from` is the nearest node_modules/name above it. */
function resolveFrom(packages: Record<string, V2Entry>, from: string, name: string): string | undefined {
  for (let base = from; ; ) {
    const candidate = base ? `${base}/node_modules/${name}` : `node_modules/${name}`
    if (packages[candidate]) return candidate
    if (!base) return undefined
    const at = base.lastIndexOf('/node_modules/')
    base = at === -1 ? '' : base.slice(0, at)
  }
}

export function parsePackageLock(text: string, path: string): ParseResult {
  const lock = JSON.parse(text) as {
    lockfileVersion?: number
    packages?: Record<string, V2Entry>
    dependencies?: Record<string, V1Entry>
  }
  if (typeof lock !== 'object' || lock === null) throw new Error('not a JSON object')
  const find = lineFinder(text)
  const dependencies: Dependency[] = []
  const notes: string[] = []
  /** Adds an installed package unless it came from outside the registry (git, tarball, link). */
  const add = (installedAs: string, version: string, line: number | undefined, more: Partial<Dependency> = {}) => {
    const resolved = resolveAlias(installedAs, version)
    if (!isRegistryVersion(resolved.version)) return
    dependencies.push({ ecosystem: 'npm', name: resolved.name, version: resolved.version, path, line, ...more })
  }

  if (lock.packages && typeof lock.packages === 'object') {
    const root = lock.packages[''] ?? {}
    const directNames = new Set(
      [root.dependencies, root.devDependencies, root.optionalDependencies, root.peerDependencies].flatMap((deps) =>
        Object.keys(deps ?? {}),
      ),
    )
    const packages = lock.packages
    const pulledInBy = waysIn({
      roots: [...directNames].flatMap((name) => {
        const node = resolveFrom(packages, '', name)
        return node ? [{ node, name, dev: !!root.devDependencies?.[name] && !root.dependencies?.[name] }] : []
      }),
      childrenOf: (key) => {
        const entry = packages[key] ?? {}
        return Object.keys({ ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies }).flatMap(
          (name) => resolveFrom(packages, key, name) ?? [],
        )
      },
    })
    for (const [key, entry] of Object.entries(lock.packages)) {
      const at = key.lastIndexOf('node_modules/')
      // Workspace folders ("packages/app") and links are the project's own code, not installed packages.
      if (at === -1 || entry.link || typeof entry.version !== 'string') continue
      const installedAs = key.slice(at + 'node_modules/'.length)
      const direct = key === `node_modules/${installedAs}` && directNames.has(installedAs)
      add(entry.name ?? installedAs, entry.version, find(`"${key}": {`), {
        direct,
        via: direct ? undefined : pulledInBy.get(key)?.via,
        scope: entry.dev || entry.devOptional ? 'dev' : 'runtime',
      })
    }
    return { dependencies, notes }
  }

  if (lock.dependencies && typeof lock.dependencies === 'object') {
    // v1 nests what could not be hoisted; a work list keeps a deep tree off the call stack.
    const pending: Record<string, V1Entry>[] = [lock.dependencies]
    while (pending.length > 0) {
      for (const [installedAs, entry] of Object.entries(pending.pop()!)) {
        if (entry.dependencies && typeof entry.dependencies === 'object') pending.push(entry.dependencies)
        if (typeof entry.version === 'string') add(installedAs, entry.version, find(`"${installedAs}": {`))
      }
    }
    return { dependencies, notes }
  }
  notes.push(`${path}: neither "packages" nor "dependencies"; nothing to check`)
  return { dependencies, notes }
}
