// Each engine's version in shared/scanning/engine-versions.ts is the digest of what decides its results:
// every project file its entry module reaches through relative imports (type-only imports aside), and the
// version of every library it imports. A change to any of them must change the version, or scans would reuse clean results the new
// engine might disagree with. On failure, copy the digest the message names into engine-versions.ts.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { engineVersions } from '../../shared/scanning/engine-versions.js'

const entries = {
  secrets: 'shared/scanning/engines/secrets/index.ts',
  code: 'shared/scanning/engines/code/index.ts',
} satisfies Record<keyof typeof engineVersions, string>

/** The memory's own modules: they carry the versions, so they cannot be part of them. */
const memoryModules = new Set(['shared/scanning/engine-versions.ts', 'shared/scanning/reuse.ts'])

/** Imports that bring code: `import type` and `export type` are erased, so they cannot change a result. */
const importPattern =
  /(?:^|\n)\s*(?:import|export)\s(?!type\s)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g

function packageOf(specifier: string): string {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!
}

/** The digest of an engine: its reachable sources (path and text) and its libraries (name@version). */
function engineDigest(entry: string): string {
  const files = new Map<string, string>()
  const libraries = new Set<string>()
  const pending = [entry]
  while (pending.length) {
    const file = pending.pop()!
    if (files.has(file) || memoryModules.has(file)) continue
    const text = readFileSync(file, 'utf8')
    files.set(file, text)
    for (const match of text.matchAll(importPattern)) {
      const specifier = (match[1] ?? match[2])!
      if (specifier.startsWith('.')) {
        pending.push(relative('.', resolve(dirname(file), specifier.replace(/\.js$/, '.ts'))))
      } else if (!specifier.startsWith('node:')) {
        const name = packageOf(specifier)
        const { version } = JSON.parse(readFileSync(join('node_modules', name, 'package.json'), 'utf8'))
        libraries.add(`${name}@${version}`)
      }
    }
  }
  const hash = createHash('sha256')
  for (const path of [...files.keys()].sort()) hash.update(`${path}\0${files.get(path)}\0`)
  for (const library of [...libraries].sort()) hash.update(`${library}\0`)
  return hash.digest('hex').slice(0, 16)
}

describe('engine versions', () => {
  for (const [engine, entry] of Object.entries(entries) as [keyof typeof entries, string][]) {
    it(`${engine}: the version is the digest of its sources and libraries`, () => {
      const digest = engineDigest(entry)
      expect(
        engineVersions[engine],
        `${engine}'s sources or libraries changed: set engineVersions.${engine} to '${digest}'`,
      ).toBe(digest)
    })
  }

  it('follows imports into the engine and its libraries', () => {
    // A digest over the entry file alone would miss a rule edited in another module.
    const before = engineDigest(entries.secrets)
    expect(before).toMatch(/^[0-9a-f]{16}$/)
    expect(engineDigest(entries.code)).not.toBe(before)
  })
})
