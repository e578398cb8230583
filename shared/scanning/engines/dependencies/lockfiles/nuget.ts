// packages.lock.json (NuGet, RestorePackagesWithLockFile): per target framework (and `framework/runtime`), each
// package with its `type`: Direct (a PackageReference), Transitive, CentralTransitive (pinned centrally, not
// referenced) or Project (another project of the solution, not a package).
import { type Dependency, lineFinder, type ParseResult } from '../types.js'

interface NuGetEntry {
  type?: unknown
  resolved?: unknown
}

export function parseNuGetLock(text: string, path: string): ParseResult {
  const lock = JSON.parse(text) as { version?: unknown; dependencies?: unknown }
  if (typeof lock !== 'object' || lock === null || typeof lock.version !== 'number') throw new Error('no lock version')
  if (!lock.dependencies || typeof lock.dependencies !== 'object' || Array.isArray(lock.dependencies))
    throw new Error('no "dependencies" by target framework')
  const find = lineFinder(text, { maxPasses: 8 })
  // Each framework repeats its packages; one entry per package version, direct if any framework references it.
  const seen = new Map<string, Dependency>()
  for (const packages of Object.values(lock.dependencies as Record<string, unknown>)) {
    if (!packages || typeof packages !== 'object') continue
    for (const [name, entry] of Object.entries(packages as Record<string, NuGetEntry>)) {
      if (entry?.type === 'Project' || typeof entry?.resolved !== 'string') continue
      const direct = entry.type === 'Direct'
      const key = `${name.toLowerCase()}@${entry.resolved.toLowerCase()}`
      const known = seen.get(key)
      if (known) {
        known.direct ||= direct
        continue
      }
      seen.set(key, {
        ecosystem: 'NuGet',
        name,
        version: entry.resolved,
        path,
        line: find(`"${name}": {`),
        direct,
      })
    }
  }
  return { dependencies: [...seen.values()], notes: [] }
}
