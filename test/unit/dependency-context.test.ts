// What makes a dependency finding actionable: how the package got there (direct, or through which direct
// dependency), its scope, whether the project's own code imports it, and which advisory data said so.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { FindingRecord } from '../../shared/data/findings.js'
import { policyRecord } from '../../shared/data/policies.js'
import { effectOf } from '../../shared/findings/policy.js'
import { memoryAdvisorySource, scanDependencies } from '../../shared/scanning/engines/dependencies/index.js'
import { parseCargoLock } from '../../shared/scanning/engines/dependencies/lockfiles/cargo.js'
import { parsePackageLock } from '../../shared/scanning/engines/dependencies/lockfiles/npm.js'
import { parsePnpmLock } from '../../shared/scanning/engines/dependencies/lockfiles/pnpm.js'
import { parseYarnLock } from '../../shared/scanning/engines/dependencies/lockfiles/yarn.js'
import { loadOsvRecords } from '../../shared/scanning/engines/dependencies/osv-files.js'
import { importsOf, reachabilityOf } from '../../shared/scanning/engines/dependencies/reachability.js'
import { lockfilesDir, osvDir } from '../support/dependency-fixtures.js'
import { folderSource } from '../support/folder-source.js'

const graph = join(lockfilesDir, 'npm', 'graph')
const records = await loadOsvRecords(osvDir)
const trees = mkdtempSync(join(tmpdir(), 'vega-dependency-context-'))
afterAll(() => rmSync(trees, { recursive: true, force: true }))

/** A project folder with these files (path → content); lockfiles copied from the fixtures. */
function project(name: string, files: Record<string, string>, lockfiles: Record<string, string> = {}) {
  const root = join(trees, name)
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), content)
  }
  for (const [path, from] of Object.entries(lockfiles)) cpSync(from, join(root, path))
  return root
}

describe('how a package got into an npm lockfile', () => {
  const { dependencies } = parsePackageLock(readFileSync(join(graph, 'package-lock.json'), 'utf8'), 'package-lock.json')
  const one = (name: string) => dependencies.find((dependency) => dependency.name === name)

  it('names the direct dependency that pulls each transitive package in, and the scope npm recorded', () => {
    expect(one('body-parser')).toMatchObject({ direct: true, via: undefined, scope: 'runtime' })
    expect(one('mkdirp')).toMatchObject({ direct: true, via: undefined, scope: 'dev' })
    expect(one('minimist')).toMatchObject({ version: '0.0.8', direct: false, via: 'mkdirp', scope: 'dev' })
    expect(one('qs')).toMatchObject({ direct: false, via: 'body-parser', scope: 'runtime' })
    // Every package of a real lockfile is reached from the root: none is left without its way in.
    expect(dependencies.filter((dependency) => !dependency.direct && !dependency.via)).toEqual([])
  })
})

describe('how a package got into a pnpm or Cargo lockfile', () => {
  it('walks pnpm 9 snapshots from the importers: the way in, and dev when only a dev dependency needs it', () => {
    const { dependencies } = parsePnpmLock(
      readFileSync(join(lockfilesDir, 'npm', 'pnpm-graph', 'pnpm-lock.yaml'), 'utf8'),
      'pnpm-lock.yaml',
    )
    const one = (name: string) => dependencies.find((dependency) => dependency.name === name)

    expect(one('body-parser')).toMatchObject({ direct: true, scope: 'runtime' })
    expect(one('minimist')).toMatchObject({ version: '0.0.8', direct: false, via: 'mkdirp', scope: 'dev' })
    expect(one('qs')).toMatchObject({ direct: false, via: 'body-parser', scope: 'runtime' })
    expect(dependencies.filter((dependency) => !dependency.direct && !dependency.via)).toEqual([])
  })

  it('walks a Yarn 4 lockfile from its workspace entry; a classic one does not say, so neither does Vega', () => {
    const berry = parseYarnLock(readFileSync(join(lockfilesDir, 'npm', 'yarn-graph', 'yarn.lock'), 'utf8'), 'yarn.lock')
    const classic = parseYarnLock(
      readFileSync(join(lockfilesDir, 'npm', 'yarn-classic', 'yarn.lock'), 'utf8'),
      'yarn.lock',
    )
    const one = (name: string) => berry.dependencies.find((dependency) => dependency.name === name)

    expect(one('mkdirp')).toMatchObject({ direct: true, via: undefined })
    expect(one('minimist')).toMatchObject({ version: '0.0.8', direct: false, via: 'mkdirp' })
    expect(one('qs')).toMatchObject({ direct: false, via: 'body-parser' })
    expect(berry.dependencies.filter((dependency) => !dependency.direct && !dependency.via)).toEqual([])
    expect(classic.dependencies.filter((dependency) => dependency.direct !== undefined || dependency.via)).toEqual([])
  })

  it('walks Cargo.lock from the workspace members, telling two locked versions of a crate apart', () => {
    const { dependencies } = parseCargoLock(
      readFileSync(join(lockfilesDir, 'crates', 'Cargo.lock'), 'utf8'),
      'Cargo.lock',
    )
    const crate = (name: string, version: string) =>
      dependencies.find((dependency) => dependency.name === name && dependency.version === version)

    expect(crate('regex', '1.9.6')).toMatchObject({ direct: true, via: undefined })
    expect(crate('regex', '1.5.4')).toMatchObject({ direct: false, via: 'old-parser' })
    expect(crate('aho-corasick', '0.7.18')).toMatchObject({ direct: false, via: 'old-parser' })
    expect(crate('regex', '1.5.4')?.scope).toBeUndefined()
  })
})

describe('import reachability', () => {
  it('tells imported from not imported in JavaScript, ignoring tests, relative paths and built-ins', async () => {
    const root = project(
      'js',
      {
        'src/app.js':
          "const bodyParser = require('body-parser')\nconst fs = require('node:fs')\nimport('./local.js')\n",
        'src/types.ts': 'import type { Options } from \'@scope/pkg/sub\'\nexport { x } from "lodash/fp"\n',
        'test/app.test.js': "import minimist from 'minimist'\n",
      },
      { 'package-lock.json': join(graph, 'package-lock.json') },
    )
    const imports = await importsOf(folderSource(root))

    expect([...imports.npm].sort()).toEqual(['@scope/pkg', 'body-parser', 'lodash'])
    expect(reachabilityOf(imports, 'npm', 'body-parser')).toBe('imported')
    expect(reachabilityOf(imports, 'npm', 'minimist')).toBe('not_imported')
    expect(reachabilityOf(imports, 'PyPI', 'django')).toBe('unknown')
    expect(reachabilityOf(imports, 'Go', 'golang.org/x/sys')).toBe('unknown')
  })

  it('maps Python imports to distributions, by name and for the common ones that differ', async () => {
    const root = project('py', {
      'app/views.py': 'from django.http import HttpResponse\nimport yaml, os.path as p\nfrom . import local\n',
      'app/tests/test_views.py': 'import requests\n',
    })
    const imports = await importsOf(folderSource(root))

    expect(reachabilityOf(imports, 'PyPI', 'Django')).toBe('imported')
    expect(reachabilityOf(imports, 'PyPI', 'PyYAML')).toBe('imported')
    expect(reachabilityOf(imports, 'PyPI', 'requests')).toBe('not_imported')
    expect(reachabilityOf(imports, 'npm', 'lodash')).toBe('unknown')
  })

  it('says unknown when there are too many files to read, or the time budget ran out', async () => {
    const root = project('late', { 'main.py': 'import requests\n' })
    const late = await importsOf({ ...folderSource(root), deadline: Date.now() - 1 })

    expect(reachabilityOf(late, 'PyPI', 'requests')).toBe('unknown')
  })
})

describe('a dependency finding', () => {
  it('carries its way in, scope, reachability, and the advisory data it was matched against; the scan too', async () => {
    const root = project(
      'finding',
      { 'src/app.js': "require('body-parser')\n", 'test/cli.test.js': "require('minimist')\n" },
      { 'package-lock.json': join(graph, 'package-lock.json') },
    )
    const source = folderSource(root)

    const scan = await scanDependencies(source, memoryAdvisorySource(records, '2026-12-01T00:00:00.000Z'))

    expect(scan.findings).toHaveLength(1)
    expect(scan.findings[0]!.metadata).toMatchObject({
      package: 'minimist',
      version: '0.0.8',
      fixed_version: '0.2.4',
      direct: false,
      via: 'mkdirp',
      scope: 'dev',
      reachable: 'not_imported',
      advisories_records: 3,
      advisories_synced_at: '2026-12-01T00:00:00.000Z',
    })
    expect(source.used?.advisories).toEqual({ npm: { records: 3, synced_at: '2026-12-01T00:00:00.000Z' } })
  })

  it('is imported once the project itself requires the package', async () => {
    const root = project(
      'imported',
      { 'bin/cli.mjs': "import minimist from 'minimist'\n" },
      { 'package-lock.json': join(graph, 'package-lock.json') },
    )

    const scan = await scanDependencies(folderSource(root), memoryAdvisorySource(records))

    expect(scan.findings[0]!.metadata).toMatchObject({ reachable: 'imported', advisories_synced_at: null })
  })
})

describe('policies on reachability and scope', () => {
  const policy = policyRecord.parse({
    rules: [
      {
        name: 'warn-unimported',
        effect: 'warn',
        conditions: [{ field: 'reachable', operator: 'eq', value: 'not_imported' }],
      },
      { name: 'ignore-dev', effect: 'ignore', conditions: [{ field: 'scope', operator: 'eq', value: 'dev' }] },
      { name: 'block-the-rest', effect: 'block', conditions: [{ field: 'scope', operator: 'ne', value: 'dev' }] },
    ],
    default: 'warn',
  })
  const finding = (metadata: Record<string, string | null>) =>
    ({ engine: 'dependencies', severity: 'high', metadata }) as unknown as FindingRecord

  it('lets a policy warn on unimported packages and ignore dev-only ones, and block what the project imports', () => {
    expect(effectOf(policy, finding({ reachable: 'not_imported', scope: 'runtime' }), true).rule).toBe(
      'warn-unimported',
    )
    expect(effectOf(policy, finding({ reachable: 'imported', scope: 'dev' }), true).rule).toBe('ignore-dev')
    expect(effectOf(policy, finding({ reachable: 'imported', scope: 'runtime' }), true).rule).toBe('block-the-rest')
    // A finding of another engine has neither: unknown, and unknown is not dev.
    expect(effectOf(policy, { severity: 'high', metadata: {} } as unknown as FindingRecord, true).rule).toBe(
      'block-the-rest',
    )
  })

  it('refuses a value that is not a reachability or a scope', () => {
    const accepted = (field: string, value: string) =>
      policyRecord.safeParse({
        rules: [{ name: 'x', effect: 'block', conditions: [{ field, operator: 'eq', value }] }],
        default: 'warn',
      }).success

    expect(accepted('reachable', 'maybe')).toBe(false)
    expect(accepted('scope', 'test')).toBe(false)
    expect(accepted('scope', 'unknown')).toBe(true)
  })
})
