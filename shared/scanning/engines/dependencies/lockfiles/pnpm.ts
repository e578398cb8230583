// pnpm-lock.yaml, lockfile versions 5 to 9. Package keys changed shape across versions:
// v5 `/lodash/4.17.21`, v6 `/lodash@4.17.21`, v9 `lodash@4.17.21`; v6+ append peers as `(peer@1.0.0)`.
import { parse } from 'yaml'
import { type Dependency, lineFinder, type ParseResult } from '../types.js'
import { type WayIn, waysIn } from './graph.js'

interface PnpmLock {
  lockfileVersion?: string | number
  importers?: Record<string, ImporterDeps>
  dependencies?: Record<string, unknown>
  devDependencies?: Record<string, unknown>
  optionalDependencies?: Record<string, unknown>
  packages?: Record<string, PnpmNode | null>
  /** v9: the resolved graph (packages then hold only what was resolved). */
  snapshots?: Record<string, PnpmNode | null>
}
interface PnpmNode {
  name?: string
  version?: string
  dev?: boolean
  dependencies?: Record<string, unknown>
  optionalDependencies?: Record<string, unknown>
}
type ImporterDeps = Partial<
  Record<'dependencies' | 'devDependencies' | 'optionalDependencies', Record<string, unknown>>
>

export function nameAndVersionOfKey(key: string): { name: string; version: string } | undefined {
  let spec = key.startsWith('/') ? key.slice(1) : key
  const v5 = key.startsWith('/') ? /^((?:@[^/]+\/)?[^/@]+)\/([^/]+)$/.exec(spec) : null
  if (v5) return { name: v5[1]!, version: v5[2]!.split('_')[0]! }
  const peers = spec.indexOf('(')
  if (peers > 0) spec = spec.slice(0, peers)
  const at = spec.lastIndexOf('@')
  return at > 0 ? { name: spec.slice(0, at), version: spec.slice(at + 1) } : undefined
}

/** `react-dom@18.2.0(react@18.2.0)` is react-dom@18.2.0 resolved against a peer. */
const withoutPeers = (key: string) => (key.indexOf('(') > 0 ? key.slice(0, key.indexOf('(')) : key)

/**
 * The graph pnpm locked: importers' dependencies are the roots, `snapshots` (v9) or `packages` (v5, v6)
 * the nodes, each naming its dependencies by name and resolved version. Keyed by package (peers dropped).
 */
function pnpmWaysIn(lock: PnpmLock, importers: ImporterDeps[]) {
  const nodes = lock.snapshots ?? lock.packages ?? {}
  const v5 = Object.keys(nodes).some((key) => /^\/(?:@[^/]+\/)?[^/@]+\/\d/.test(key))
  const keyOf = (name: string, spec: unknown): string | undefined => {
    const version = typeof spec === 'string' ? spec : (spec as { version?: unknown } | null)?.version
    if (typeof version !== 'string' || version.startsWith('link:')) return undefined
    const key = lock.snapshots ? `${name}@${version}` : v5 ? `/${name}/${version}` : `/${name}@${version}`
    return key in nodes ? key : undefined
  }
  const roots = importers.flatMap((importer) =>
    (['dependencies', 'optionalDependencies', 'devDependencies'] as const).flatMap((group) =>
      Object.entries(importer?.[group] ?? {}).flatMap(([name, spec]) => {
        const node = keyOf(name, spec)
        return node ? [{ node, name, dev: group === 'devDependencies' }] : []
      }),
    ),
  )
  const found = waysIn({
    roots,
    childrenOf: (key) =>
      Object.entries({ ...nodes[key]?.dependencies, ...nodes[key]?.optionalDependencies }).flatMap(
        ([name, spec]) => keyOf(name, spec) ?? [],
      ),
  })
  const byPackage = new Map<string, WayIn>()
  for (const [key, way] of found) if (!byPackage.has(withoutPeers(key))) byPackage.set(withoutPeers(key), way)
  return byPackage
}

export function parsePnpmLock(text: string, path: string): ParseResult {
  const lock = parse(text, { maxAliasCount: 100 }) as PnpmLock
  if (typeof lock !== 'object' || lock === null || !('lockfileVersion' in lock)) throw new Error('no lockfileVersion')
  const find = lineFinder(text)
  const direct = new Set<string>()
  const importers: ImporterDeps[] = lock.importers ? Object.values(lock.importers) : [lock as ImporterDeps]
  for (const importer of importers)
    for (const group of [importer?.dependencies, importer?.devDependencies, importer?.optionalDependencies])
      for (const name of Object.keys(group ?? {})) direct.add(name)

  const ways = pnpmWaysIn(lock, importers)
  const dependencies: Dependency[] = []
  for (const [key, entry] of Object.entries(lock.packages ?? {})) {
    const parsed = nameAndVersionOfKey(key)
    const name = entry?.name ?? parsed?.name
    const version = entry?.version ?? parsed?.version
    // Tarball, git and `link:` entries carry no registry version.
    if (!name || !version || !/^\d+\.\d+\.\d+/.test(version)) continue
    dependencies.push({
      ecosystem: 'npm',
      name,
      version,
      path,
      line: find(`${key}:`) ?? find(`'${key}':`),
      direct: direct.has(name),
      via: direct.has(name) ? undefined : ways.get(withoutPeers(key))?.via,
      scope: typeof entry?.dev === 'boolean' ? (entry.dev ? 'dev' : 'runtime') : ways.get(withoutPeers(key))?.scope,
    })
  }
  return { dependencies, notes: [] }
}
