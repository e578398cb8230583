// Each engine's version in shared/scanning/engine-versions.ts is the digest of what decides its results:
// every project file its entry module reaches through relative imports (type-only imports aside), and the
// version of every library it imports. A change to any of them must change the version, or scans would reuse clean results the new
// engine might disagree with. The code engine's version per rule family leaves out the other families'
// own modules and grammars, which only their files meet. On failure, copy the digest the message names
// into engine-versions.ts.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { engineVersions } from '../../shared/scanning/engine-versions.js'
import {
  familyOfLanguage,
  type RuleFamily,
  ruleFamilies,
  ruleFamilyOf,
} from '../../shared/scanning/engines/code/families.js'
import { javascriptAnalyzers } from '../../shared/scanning/engines/code/flow/javascript.js'
import { pythonAnalyzers } from '../../shared/scanning/engines/code/flow/python.js'
import { codeLanguages } from '../../shared/scanning/engines/code/languages.js'
import { goRules } from '../../shared/scanning/engines/code/rules/go.js'
import { javaRules } from '../../shared/scanning/engines/code/rules/java.js'
import { javascriptRules } from '../../shared/scanning/engines/code/rules/javascript.js'
import { pythonRules } from '../../shared/scanning/engines/code/rules/python.js'

const entries = {
  secrets: 'shared/scanning/engines/secrets/index.ts',
  code: 'shared/scanning/engines/code/index.ts',
} satisfies Record<keyof typeof engineVersions, string>

const code = 'shared/scanning/engines/code'
/** What only one family's files meet: its rules, its data flow, its grammar. */
const familyOwn: Record<RuleFamily, string[]> = {
  javascript: [
    `${code}/rules/javascript.ts`,
    `${code}/flow/javascript.ts`,
    `${code}/flow/javascript-taint.ts`,
    `${code}/flow/javascript-sinks.ts`,
  ],
  python: [
    `${code}/rules/python.ts`,
    `${code}/flow/python.ts`,
    `${code}/flow/python-taint.ts`,
    '@ast-grep/lang-python',
  ],
  go: [`${code}/rules/go.ts`, '@ast-grep/lang-go'],
  java: [`${code}/rules/java.ts`, '@ast-grep/lang-java'],
}
/** Where the families are put together: the only module outside a family that may import its own. */
const wiring = `${code}/languages.ts`
const othersOwn = (family: RuleFamily) =>
  new Set(ruleFamilies.filter((other) => other !== family).flatMap((other) => familyOwn[other]))

/** The memory's own modules: they carry the versions, so they cannot be part of them. */
const memoryModules = new Set(['shared/scanning/engine-versions.ts', 'shared/scanning/reuse.ts'])

/** Imports that bring code: `import type` and `export type` are erased, so they cannot change a result. */
const importPattern =
  /(?:^|\n)\s*(?:import|export)\s(?!type\s)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g

function packageOf(specifier: string): string {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!
}

/**
 * Every project file reachable from `entry` (not through `excluded`), with the project files and the
 * packages each imports.
 */
function reachable(entry: string, excluded = new Set<string>()) {
  const files = new Map<string, { text: string; imports: string[]; packages: string[] }>()
  const pending = [entry]
  while (pending.length) {
    const file = pending.pop()!
    if (files.has(file) || memoryModules.has(file) || excluded.has(file)) continue
    const text = readFileSync(file, 'utf8')
    const imports: string[] = []
    const packages: string[] = []
    for (const match of text.matchAll(importPattern)) {
      const specifier = (match[1] ?? match[2])!
      if (specifier.startsWith('.'))
        imports.push(relative('.', resolve(dirname(file), specifier.replace(/\.js$/, '.ts'))))
      else if (!specifier.startsWith('node:')) packages.push(packageOf(specifier))
    }
    files.set(file, { text, imports, packages })
    pending.push(...imports)
  }
  return files
}

/** The digest of an engine: its reachable sources (path and text) and its libraries (name@version). */
function engineDigest(entry: string, excluded = new Set<string>()): string {
  const files = reachable(entry, excluded)
  const libraries = new Set<string>()
  for (const { packages } of files.values())
    for (const name of packages.filter((name) => !excluded.has(name))) {
      const { version } = JSON.parse(readFileSync(join('node_modules', name, 'package.json'), 'utf8'))
      libraries.add(`${name}@${version}`)
    }
  const hash = createHash('sha256')
  for (const path of [...files.keys()].sort()) hash.update(`${path}\0${files.get(path)!.text}\0`)
  for (const library of [...libraries].sort()) hash.update(`${library}\0`)
  return hash.digest('hex').slice(0, 16)
}

describe('engine versions', () => {
  it('secrets: the version is the digest of its sources and libraries', () => {
    const digest = engineDigest(entries.secrets)
    expect(
      engineVersions.secrets,
      `the secrets engine's sources or libraries changed: set engineVersions.secrets to '${digest}'`,
    ).toBe(digest)
  })

  for (const family of ruleFamilies) {
    it(`code, ${family}: the version is the digest of the shared sources and libraries and the family's own`, () => {
      const digest = engineDigest(entries.code, othersOwn(family))
      expect(
        engineVersions.code[family],
        `the code engine's sources for ${family} changed: set engineVersions.code.${family} to '${digest}'`,
      ).toBe(digest)
    })
  }

  it("a family's own modules and grammar reach no other family's files", () => {
    const files = reachable(entries.code)
    for (const family of ruleFamilies) {
      const own = new Set(familyOwn[family])
      for (const module of own) {
        const importers = [...files]
          .filter(([, { imports, packages }]) => imports.includes(module) || packages.includes(module))
          .map(([path]) => path)
        expect(importers.length, `${module} is imported by the code engine`).toBeGreaterThan(0)
        for (const importer of importers)
          expect(importer === wiring || own.has(importer), `${importer} imports ${family}'s ${module}`).toBe(true)
      }
    }
  })

  it("each language reads its family's rules, data flow and file names, and nothing else", () => {
    const rulesOf = { javascript: javascriptRules, python: pythonRules, go: goRules, java: javaRules }
    const analyzersOf = { javascript: javascriptAnalyzers, python: pythonAnalyzers, go: [], java: [] }
    for (const language of codeLanguages) {
      const family = familyOfLanguage[language.name]
      expect(
        language.rules.every((rule) => rulesOf[family].includes(rule)),
        language.name,
      ).toBe(true)
      expect(
        language.analyzers.every((analyzer) => (analyzersOf[family] as unknown[]).includes(analyzer)),
        language.name,
      ).toBe(true)
      for (const ending of language.extensions) expect(ruleFamilyOf(`src/App${ending.toUpperCase()}`)).toBe(family)
    }
    expect(ruleFamilyOf('README.md')).toBeUndefined()
  })

  it('a change to one family forgets only that family', () => {
    const versions = ruleFamilies.map((family) => engineDigest(entries.code, othersOwn(family)))
    expect(new Set(versions).size).toBe(ruleFamilies.length)
    const shared = engineDigest(entries.code, new Set(ruleFamilies.flatMap((family) => familyOwn[family])))
    expect(versions).not.toContain(shared)
  })

  it('follows imports into the engine and its libraries', () => {
    // A digest over the entry file alone would miss a rule edited in another module.
    const before = engineDigest(entries.secrets)
    expect(before).toMatch(/^[0-9a-f]{16}$/)
    expect(engineDigest(entries.code, othersOwn('javascript'))).not.toBe(before)
  })
})
