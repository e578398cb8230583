// Cargo.lock (TOML): `[[package]]` tables; only crates from a registry have crates.io advisories.
import { parse } from 'smol-toml'
import { type Dependency, lineFinder, type ParseResult } from '../types.js'

interface CargoPackage {
  name?: unknown
  version?: unknown
  source?: unknown
  dependencies?: unknown
}

export function parseCargoLock(text: string, path: string): ParseResult {
  const lock = parse(text) as { package?: CargoPackage[] }
  if (!Array.isArray(lock.package)) throw new Error('no [[package]] tables')
  const find = lineFinder(text)
  // Workspace members have no source; what they list is what the project asks for itself.
  const direct = new Set<string>()
  for (const member of lock.package.filter((entry) => entry.source === undefined))
    for (const dependency of Array.isArray(member.dependencies) ? member.dependencies : [])
      if (typeof dependency === 'string') direct.add(dependency.split(' ')[0]!)

  const dependencies: Dependency[] = []
  for (const entry of lock.package) {
    if (typeof entry.name !== 'string' || typeof entry.version !== 'string') continue
    if (typeof entry.source !== 'string' || !entry.source.startsWith('registry+')) continue
    const header = find(`name = "${entry.name}"\nversion = "${entry.version}"`)
    dependencies.push({
      ecosystem: 'crates.io',
      name: entry.name,
      version: entry.version,
      path,
      line: header,
      direct: direct.has(entry.name),
    })
  }
  return { dependencies, notes: [] }
}
