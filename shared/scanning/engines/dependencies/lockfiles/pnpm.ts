// pnpm-lock.yaml, lockfile versions 5 to 9. Package keys changed shape across versions:
// v5 `/lodash/4.17.21`, v6 `/lodash@4.17.21`, v9 `lodash@4.17.21`; v6+ append peers as `(peer@1.0.0)`.
import { parse } from 'yaml'
import { type Dependency, lineFinder, type ParseResult } from '../types.js'

interface PnpmLock {
  lockfileVersion?: string | number
  importers?: Record<string, ImporterDeps>
  dependencies?: Record<string, unknown>
  devDependencies?: Record<string, unknown>
  optionalDependencies?: Record<string, unknown>
  packages?: Record<string, { name?: string; version?: string } | null>
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

export function parsePnpmLock(text: string, path: string): ParseResult {
  const lock = parse(text, { maxAliasCount: 100 }) as PnpmLock
  if (typeof lock !== 'object' || lock === null || !('lockfileVersion' in lock)) throw new Error('no lockfileVersion')
  const find = lineFinder(text)
  const direct = new Set<string>()
  const importers: ImporterDeps[] = lock.importers ? Object.values(lock.importers) : [lock as ImporterDeps]
  for (const importer of importers)
    for (const group of [importer?.dependencies, importer?.devDependencies, importer?.optionalDependencies])
      for (const name of Object.keys(group ?? {})) direct.add(name)

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
    })
  }
  return { dependencies, notes: [] }
}
