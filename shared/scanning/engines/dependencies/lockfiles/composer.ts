// composer.lock (JSON): `packages` (runtime) and `packages-dev` (require-dev), each a full package record. The lock
// does not say which packages composer.json asks for, so `direct` stays unknown.
import { type Dependency, lineFinder, type ParseResult } from '../types.js'

interface ComposerPackage {
  name?: unknown
  version?: unknown
  source?: { type?: unknown }
  dist?: { type?: unknown }
}

/** Tagged releases only: `dev-main` and `2.x-dev` name branches, which advisories' version ranges do not cover. */
const isRelease = (version: string) =>
  /^v?\d/i.test(version) && !version.toLowerCase().startsWith('dev-') && !version.toLowerCase().endsWith('-dev')

export function parseComposerLock(text: string, path: string): ParseResult {
  const lock = JSON.parse(text) as { packages?: unknown; 'packages-dev'?: unknown }
  if (typeof lock !== 'object' || lock === null || !Array.isArray(lock.packages)) throw new Error('no "packages" list')
  const find = lineFinder(text, { maxPasses: 8 })
  const dependencies: Dependency[] = []
  for (const [list, scope] of [
    [lock.packages, 'runtime'],
    [lock['packages-dev'], 'dev'],
  ] as const) {
    for (const entry of (Array.isArray(list) ? list : []) as ComposerPackage[]) {
      if (typeof entry?.name !== 'string' || typeof entry.version !== 'string' || !isRelease(entry.version)) continue
      // A path repository is a folder of the project (or beside it), not a Packagist release.
      if (entry.dist?.type === 'path' || entry.source?.type === 'path') continue
      dependencies.push({
        ecosystem: 'Packagist',
        name: entry.name,
        version: entry.version,
        path,
        line: find(`"name": "${entry.name}"`),
        scope,
      })
    }
  }
  return { dependencies, notes: [] }
}
