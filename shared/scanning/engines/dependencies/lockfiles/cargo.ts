// Cargo.lock (TOML): `[[package]]` tables; only crates from a registry have crates.io advisories.
import { parse } from 'smol-toml'
import { type Dependency, lineFinder, type ParseResult } from '../types.js'
import { waysIn } from './graph.js'

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
  const packages = lock.package
  // A dependency is written `name`, or `name version` (and `(source)`) when two versions are locked.
  const byName = new Map<string, number[]>()
  packages.forEach((entry, index) => {
    if (typeof entry.name === 'string') byName.set(entry.name, [...(byName.get(entry.name) ?? []), index])
  })
  const resolve = (dependency: unknown): number | undefined => {
    if (typeof dependency !== 'string') return undefined
    const [name, version] = dependency.split(' ')
    const candidates = byName.get(name!) ?? []
    return version === undefined ? candidates[0] : candidates.find((index) => packages[index]!.version === version)
  }
  const dependenciesOf = (index: number) =>
    (Array.isArray(packages[index]!.dependencies) ? (packages[index]!.dependencies as unknown[]) : []).flatMap(
      (dependency) => resolve(dependency) ?? [],
    )
  // Workspace members have no source; what they list is what the project asks for itself. The lock does
  // not tell dev-dependencies apart, so the scope stays unknown.
  const members = packages.flatMap((entry, index) => (entry.source === undefined ? [index] : []))
  const direct = new Set(members.flatMap(dependenciesOf).filter((index) => packages[index]!.source !== undefined))
  const ways = waysIn({
    roots: [...direct].map((node) => ({ node, name: String(packages[node]!.name), dev: false })),
    childrenOf: dependenciesOf,
  })

  const dependencies: Dependency[] = []
  for (const [index, entry] of packages.entries()) {
    if (typeof entry.name !== 'string' || typeof entry.version !== 'string') continue
    if (typeof entry.source !== 'string' || !entry.source.startsWith('registry+')) continue
    const header = find(`name = "${entry.name}"\nversion = "${entry.version}"`)
    dependencies.push({
      ecosystem: 'crates.io',
      name: entry.name,
      version: entry.version,
      path,
      line: header,
      direct: direct.has(index),
      via: direct.has(index) ? undefined : ways.get(index)?.via,
    })
  }
  return { dependencies, notes: [] }
}
