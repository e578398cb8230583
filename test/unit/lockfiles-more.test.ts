// The lockfiles added for issue #17 (bun.lock, uv.lock, pylock.toml, composer.lock, NuGet's packages.lock.json,
// gradle.lockfile), each read from a lockfile its own tool wrote (test/fixtures/lockfiles/README.md says where
// each came from), and the NuGet and Packagist version orders.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { matchDependencies, memoryAdvisorySource, OsvRecord } from '../../shared/scanning/engines/dependencies/index.js'
import { jsoncToJson } from '../../shared/scanning/engines/dependencies/lockfiles/bun.js'
import { lockfilesOf, parseLockfile, parserFor } from '../../shared/scanning/engines/dependencies/lockfiles/index.js'
import { isAffected } from '../../shared/scanning/engines/dependencies/osv.js'
import type { Dependency } from '../../shared/scanning/engines/dependencies/types.js'
import { compareNuGet, comparePackagist } from '../../shared/scanning/engines/dependencies/versions.js'

const fixtures = join(import.meta.dirname, '..', 'fixtures')
const lockfiles = join(fixtures, 'lockfiles')
const parse = (path: string) => parseLockfile(path, readFileSync(join(lockfiles, path)))
const coordinates = (deps: Dependency[]) => deps.map((dep) => `${dep.name}@${dep.version}`).sort()
const entry = (deps: Dependency[], name: string, version?: string) =>
  deps.find((dep) => dep.name === name && (version === undefined || dep.version === version))
const shipped = readdirSync(join(fixtures, 'osv'))
  .filter((name) => name.endsWith('.json'))
  .map((name) => OsvRecord.parse(JSON.parse(readFileSync(join(fixtures, 'osv', name), 'utf8'))))

/** A made-up advisory over one package: fixed in `fixed`, affected from the start. */
const advisory = (id: string, ecosystem: string, name: string, fixed: string) =>
  OsvRecord.parse({
    id,
    modified: '2024-01-01T00:00:00Z',
    affected: [
      { package: { ecosystem, name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }] },
    ],
  })

describe('bun.lock', () => {
  it('reads registry packages with their install paths, aliases and workspace-declared direct flags', () => {
    const { dependencies, notes } = parse('npm/bun/bun.lock')

    expect(notes).toEqual([])
    expect(coordinates(dependencies)).toEqual([
      '@sindresorhus/is@4.6.0',
      '@types/ms@0.7.34',
      'debug@4.3.4',
      'is-number@7.0.0',
      'lodash@4.17.20',
      'lodash@4.17.21',
      'minimist@0.0.8',
      'minimist@1.2.5',
      'mkdirp@0.5.1',
      'ms@2.1.2',
      'ms@2.1.2',
      'ms@2.1.3',
    ])
    expect(dependencies.every((dep) => dep.ecosystem === 'npm' && dep.path === 'npm/bun/bun.lock')).toBe(true)
    expect(entry(dependencies, 'lodash', '4.17.20')).toMatchObject({ direct: true, line: 45 })
    // The workspace `util` pins its own lodash, installed under it.
    expect(entry(dependencies, 'lodash', '4.17.21')).toMatchObject({ direct: true, line: 61 })
    // `my-ms` is `npm:ms@2.1.2`; debug's own ms 2.1.2 is nested under it and is not asked for.
    expect(dependencies.filter((dep) => dep.name === 'ms').map((dep) => [dep.version, dep.direct, dep.line])).toEqual([
      ['2.1.3', true, 51],
      ['2.1.2', true, 53],
      ['2.1.2', false, 57],
    ])
    expect(entry(dependencies, 'minimist', '0.0.8')).toMatchObject({ direct: false, line: 59 })
    expect(entry(dependencies, '@types/ms')?.direct).toBe(true)
    expect(entry(dependencies, 'helper')).toBeUndefined()
    expect(entry(dependencies, 'util')).toBeUndefined()
  })

  it('turns JSONC into JSON: trailing commas and comments go, strings stay as they are', () => {
    const text = '{\n  // a comment\n  "a": [1, 2,],\n  "b": "x,]", /* c, */\n  "c": {"d": "\\",}",},\n}'

    expect(JSON.parse(jsoncToJson(text))).toEqual({ a: [1, 2], b: 'x,]', c: { d: '",}' } })
    expect(jsoncToJson('{"a": 1}')).toBe('{"a": 1}')
    expect(() => JSON.parse(jsoncToJson('[1,,]'))).toThrow()
    expect(() => jsoncToJson('{"a": 1 /* open')).toThrow('not closed')
  })

  it('strips many trailing commas and comments in one pass', () => {
    const text = `[${'[1, /* c, */ ],'.repeat(200_000)}]`
    const started = performance.now()

    const result = JSON.parse(jsoncToJson(text)) as unknown[]

    expect(result).toHaveLength(200_000)
    expect(result[0]).toEqual([1])
    expect(performance.now() - started).toBeLessThan(5_000)
  })
})

describe('uv.lock and pylock.toml', () => {
  it('reads uv.lock index packages, direct when a workspace member or its groups and extras ask for them', () => {
    const { dependencies, notes } = parse('pypi/uv-workspace/uv.lock')

    expect(notes).toEqual([])
    expect(dependencies.map((dep) => [dep.name, dep.version, dep.direct, dep.line])).toEqual([
      ['anyio', '4.3.0', true, 15],
      ['colorama', '0.4.6', false, 51],
      ['idna', '3.6', false, 60],
      ['iniconfig', '2.0.0', true, 69],
      ['packaging', '24.0', false, 78],
      ['pluggy', '1.4.0', false, 87],
      ['pytest', '8.1.1', true, 119],
      ['sniffio', '1.3.1', true, 134],
      ['typing-extensions', '4.10.0', true, 143],
    ])
    expect(dependencies.every((dep) => dep.ecosystem === 'PyPI')).toBe(true)
  })

  it('skips uv.lock git sources and the virtual project, and keeps what a git dependency pulls in transitive', () => {
    const { dependencies } = parse('pypi/uv-git/uv.lock')

    expect(dependencies).toEqual([
      { ecosystem: 'PyPI', name: 'iniconfig', version: '2.0.0', path: 'pypi/uv-git/uv.lock', line: 24, direct: false },
    ])
  })

  it('reads the PEP 751 example and a uv export under a pylock.<name>.toml name, without archive sources', () => {
    const example = parse('pypi/pylock/pylock.toml')
    const exported = parse('pypi/pylock-uv/pylock.app.toml')

    expect(example.dependencies.map((dep) => [dep.name, dep.version, dep.line, dep.direct])).toEqual([
      ['attrs', '25.1.0', 7, undefined],
      ['cattrs', '24.1.2', 25, undefined],
      ['numpy', '2.2.3', 40, undefined],
    ])
    expect(exported.dependencies.map((dep) => [dep.name, dep.version, dep.line])).toEqual([
      ['idna', '3.6', 13],
      ['sniffio', '1.3.1', 20],
    ])
    expect([...example.notes, ...exported.notes]).toEqual([])
  })

  it('finds uv.lock lines in a file with CRLF line endings', () => {
    const text = readFileSync(join(lockfiles, 'pypi/uv-workspace/uv.lock'), 'utf8').replace(/\n/g, '\r\n')

    const { dependencies } = parseLockfile('uv.lock', text)

    expect(entry(dependencies, 'pytest')?.line).toBe(119)
  })
})

describe('composer.lock', () => {
  it('reads packages and packages-dev as Packagist releases, keeping the v of tags, direct unknown', () => {
    const { dependencies, notes } = parse('packagist/composer/composer.lock')

    expect(notes).toEqual([])
    expect(dependencies).toHaveLength(36)
    expect(dependencies.every((dep) => dep.ecosystem === 'Packagist' && dep.direct === undefined)).toBe(true)
    expect(dependencies[0]).toMatchObject({ name: 'composer/ca-bundle', version: '1.5.12', line: 10 })
    expect(entry(dependencies, 'symfony/console')).toMatchObject({ version: 'v5.4.47', line: 1006 })
    expect(entry(dependencies, 'phpstan/phpstan')).toMatchObject({ version: '1.12.33', line: 2198 })
    expect(dependencies.at(-1)).toMatchObject({ name: 'symfony/phpunit-bridge', version: 'v7.3.4' })
  })

  it('skips path repositories, which are folders of the project rather than releases', () => {
    const { dependencies } = parse('packagist/path-repos/composer.lock')

    expect(dependencies.map((dep) => [dep.name, dep.version, dep.line])).toEqual([
      ['symfony/filesystem', 'v2.8.2', 76],
      ['symfony/polyfill-ctype', 'v1.22.0', 138],
    ])
  })

  it('skips branch versions', () => {
    const text = JSON.stringify({
      packages: [
        { name: 'acme/a', version: 'dev-main' },
        { name: 'acme/b', version: '2.x-dev' },
        { name: 'acme/c', version: 'v1.0.0-beta1' },
      ],
      'packages-dev': [],
    })

    expect(coordinates(parseLockfile('composer.lock', text).dependencies)).toEqual(['acme/c@v1.0.0-beta1'])
  })
})

describe('packages.lock.json', () => {
  it('reads Direct and Transitive packages with their lines', () => {
    const { dependencies, notes } = parse('nuget/subdependencies/packages.lock.json')

    expect(notes).toEqual([])
    expect(dependencies.map((dep) => [dep.name, dep.version, dep.direct, dep.line])).toEqual([
      ['Newtonsoft.Json', '12.0.3', true, 5],
      ['NuGet.Frameworks', '5.7.0', true, 11],
      ['Swashbuckle.AspNetCore', '5.5.1', true, 17],
      ['Microsoft.Extensions.ApiDescription.Server', '3.0.0', false, 29],
      ['Microsoft.OpenApi', '1.1.4', false, 34],
      ['Swashbuckle.AspNetCore.Swagger', '5.5.1', false, 39],
      ['Swashbuckle.AspNetCore.SwaggerGen', '5.5.1', false, 47],
      ['Swashbuckle.AspNetCore.SwaggerUI', '5.5.1', false, 55],
    ])
    expect(dependencies.every((dep) => dep.ecosystem === 'NuGet')).toBe(true)
  })

  it('lists a package once across target frameworks, at its first line', () => {
    const { dependencies } = parse('nuget/multi-target/packages.lock.json')

    expect(dependencies).toHaveLength(40)
    expect(dependencies.filter((dep) => dep.name === 'Newtonsoft.Json')).toMatchObject([
      { version: '12.0.3', direct: true, line: 20 },
    ])
    expect(entry(dependencies, 'AWSSDK.Core')).toMatchObject({ version: '3.5.1.30', direct: true, line: 5 })
    expect(coordinates(dependencies.filter((dep) => dep.name === 'NETStandard.Library'))).toEqual([
      'NETStandard.Library@1.6.1',
      'NETStandard.Library@2.0.3',
    ])
    expect(entry(dependencies, 'System.Runtime')?.direct).toBe(false)
  })

  it('skips project references, and is direct where any framework references the package', () => {
    const text = JSON.stringify({
      version: 2,
      dependencies: {
        'net8.0': {
          'Pinned.Central': { type: 'CentralTransitive', requested: '[6.0.0, )', resolved: '6.0.0' },
          'Shared.Lib': { type: 'Transitive', resolved: '1.0.0' },
          'my.project': { type: 'Project', dependencies: { 'Shared.Lib': '[1.0.0, )' } },
        },
        'net9.0': { 'Shared.Lib': { type: 'Direct', requested: '[1.0.0, )', resolved: '1.0.0' } },
        'net9.0/linux-x64': {},
      },
    })

    const { dependencies } = parseLockfile('src/App/packages.lock.json', text)

    expect(dependencies.map((dep) => [dep.name, dep.version, dep.direct])).toEqual([
      ['Pinned.Central', '6.0.0', false],
      ['Shared.Lib', '1.0.0', true],
    ])
  })
})

describe('gradle.lockfile', () => {
  it('reads group:artifact coordinates per line, both versions of a module, and skips comments and empty=', () => {
    const { dependencies, notes } = parse('maven/gradle/gradle.lockfile')

    expect(notes).toEqual([])
    expect(dependencies).toHaveLength(46)
    expect(dependencies[0]).toEqual({
      ecosystem: 'Maven',
      name: 'cglib:cglib-nodep',
      version: '3.2.2',
      path: 'maven/gradle/gradle.lockfile',
      line: 4,
    })
    expect(entry(dependencies, 'junit:junit')).toMatchObject({ version: '4.12', line: 21 })
    expect(entry(dependencies, 'com.fasterxml.jackson.core:jackson-databind')?.version).toBe('2.9.10.8')
    expect(
      dependencies.filter((dep) => dep.name === 'org.jetbrains.kotlin:kotlin-stdlib').map((dep) => dep.line),
    ).toEqual([41, 42])
    expect(dependencies.some((dep) => dep.name.startsWith('empty'))).toBe(false)
  })
})

describe('the new lockfiles in a scan', () => {
  const newNames = ['bun.lock', 'uv.lock', 'pylock.toml', 'composer.lock', 'packages.lock.json', 'gradle.lockfile']

  it('skips each broken variant with a note instead of throwing', () => {
    for (const name of newNames) {
      const result = parse(`broken/${name}`)

      expect(result.dependencies, name).toEqual([])
      expect(result.notes, name).toEqual([expect.stringMatching(new RegExp(`^broken/${name}: could not be parsed`))])
    }
  })

  it('never throws on arbitrary text, whatever the parser', () => {
    const names = [...newNames, 'pylock.dev.toml']

    fc.assert(
      fc.property(fc.constantFrom(...names), fc.string({ maxLength: 300 }), (name, text) => {
        const result = parseLockfile(name, text)

        return Array.isArray(result.dependencies) && Array.isArray(result.notes)
      }),
      { numRuns: 500 },
    )
    for (const name of names)
      for (const text of ['', '{', '[]', 'null', '"x"', '{"packages": 1}', '[[package]]', `${'['.repeat(20_000)}`])
        expect(() => parseLockfile(name, text), `${name} ${text.slice(0, 20)}`).not.toThrow()
  })

  it('stays fast on a lockfile whose names never appear as written, giving up lines rather than time', () => {
    // `\u0061` is `a`: each lookup of `"name": "a/p…"` misses, and a miss reads the whole file.
    const packages = Array.from({ length: 50_000 }, (_, i) => `{"name": "\\u0061/p${i}", "version": "1.0.${i}"}`)
    const text = `{"packages": [${packages.join(',\n')}], "packages-dev": []}`
    const started = performance.now()

    const { dependencies } = parseLockfile('composer.lock', text)

    expect(dependencies).toHaveLength(50_000)
    expect(dependencies[49_999]).toMatchObject({ name: 'a/p49999', version: '1.0.49999', line: undefined })
    expect(performance.now() - started).toBeLessThan(5_000)
  })

  it('picks the new lockfile names, PEP 751 named locks, and nothing under vendor or node_modules', () => {
    expect(
      lockfilesOf([
        'bun.lock',
        'bun.lockb',
        'web/bun.lock',
        'uv.lock',
        'pylock.toml',
        'pylock.dev.toml',
        'pylock.a.b.toml',
        'mypylock.toml',
        'composer.lock',
        'vendor/acme/lib/composer.lock',
        'src/App/packages.lock.json',
        'packages.lock.jsonc',
        'app/gradle.lockfile',
        'node_modules/x/bun.lock',
        'constructor',
        'toString',
      ]),
    ).toEqual([
      'bun.lock',
      'web/bun.lock',
      'uv.lock',
      'pylock.toml',
      'pylock.dev.toml',
      'composer.lock',
      'src/App/packages.lock.json',
      'app/gradle.lockfile',
    ])
    expect(parserFor('constructor')).toBeUndefined()
  })

  it('matches what the new lockfiles hold against advisories, with each ecosystem’s version order', async () => {
    const records = [
      ...shipped,
      // Names in another case than the lockfiles': NuGet and Composer compare names ignoring case.
      advisory('TEST-NUGET-1', 'NuGet', 'newtonsoft.json', '13.0.1'),
      advisory('TEST-NUGET-2', 'NuGet', 'AWSSDK.Core', '3.5.1.31'),
      advisory('TEST-PACKAGIST-1', 'Packagist', 'Symfony/Console', '5.4.48'),
      advisory('TEST-PACKAGIST-2', 'Packagist', 'symfony/process', '5.4.46'),
    ]
    const dependencies = [
      'npm/bun/bun.lock',
      'nuget/multi-target/packages.lock.json',
      'packagist/composer/composer.lock',
      'maven/gradle/gradle.lockfile',
      'pypi/uv-workspace/uv.lock',
    ].flatMap((path) => parse(path).dependencies)

    const { findings } = await matchDependencies(dependencies, memoryAdvisorySource(records))

    expect(findings.map((finding) => finding.identity).sort()).toEqual([
      'Maven:junit:junit@4.12:GHSA-269g-pwp5-87pp',
      'NuGet:AWSSDK.Core@3.5.1.30:TEST-NUGET-2',
      'NuGet:Newtonsoft.Json@12.0.3:TEST-NUGET-1',
      'Packagist:symfony/console@v5.4.47:TEST-PACKAGIST-1',
      'npm:minimist@0.0.8:GHSA-xvch-5gv4-984h',
      'npm:minimist@1.2.5:GHSA-xvch-5gv4-984h',
    ])
    const minimist = findings.find((finding) => finding.identity.startsWith('npm:minimist@1.2.5'))!
    expect(minimist.locations[0]).toMatchObject({ path: 'npm/bun/bun.lock', start_line: 47 })
    expect(minimist.metadata).toMatchObject({ direct: true, fixed_version: '1.2.6' })
    const junit = findings.find((finding) => finding.identity.startsWith('Maven:junit'))!
    expect(junit.locations[0]).toMatchObject({ path: 'maven/gradle/gradle.lockfile', start_line: 21 })
    expect(junit.metadata.direct).toBeNull()
  })
})

describe('NuGet and Packagist version orders', () => {
  const ordered = (compare: (a: string, b: string) => number | undefined, versions: string[]) => {
    for (let i = 0; i + 1 < versions.length; i++) {
      expect(compare(versions[i]!, versions[i + 1]!), `${versions[i]} < ${versions[i + 1]}`).toBe(-1)
      expect(compare(versions[i + 1]!, versions[i]!), `${versions[i + 1]} > ${versions[i]}`).toBe(1)
    }
  }

  it('orders NuGet by NuGetVersion: four numeric parts, then SemVer prerelease labels ignoring case', () => {
    ordered(compareNuGet, [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-Beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.0.0.1',
      '1.0.1',
      '3.5.1.30',
      '3.5.1.31',
      '10.32.0.713',
      '12.0.3',
      '13.0.1',
    ])
    expect(compareNuGet('1.0', '1.0.0.0')).toBe(0)
    expect(compareNuGet('1.0.0-RC.1', '1.0.0-rc.1')).toBe(0)
    expect(compareNuGet('1.0.0+build.5', '1.0.0')).toBe(0)
    expect(compareNuGet('99999999999999999999.0', '99999999999999999998.9')).toBe(1)
    expect(compareNuGet('latest', '1.0.0')).toBeUndefined()
    expect(compareNuGet('1.0.0-', '1.0.0')).toBeUndefined()
    expect(compareNuGet('1.2.3.4.5', '1.0.0')).toBeUndefined()
  })

  it('orders Packagist by PHP version_compare, a leading v dropped: dev < alpha < beta < RC < release < patch', () => {
    ordered(comparePackagist, [
      '1.0.0-dev',
      '1.0.0-alpha1',
      '1.0.0-alpha2',
      '1.0.0-beta2',
      '1.0.0-RC1',
      '1.0.0',
      '1.0.0-p1',
      '1.0.1',
      'v2.8.2',
      '2.8.10',
      '5.4.46',
      'v5.4.47',
      '20210106',
    ])
    expect(comparePackagist('v5.4.47', '5.4.47')).toBe(0)
    expect(comparePackagist('1.0.0-beta.2', '1.0.0-beta2')).toBe(0)
    expect(comparePackagist('1.0.0-b2', '1.0.0-beta2')).toBe(0)
    expect(comparePackagist('dev-main', '1.0.0')).toBeUndefined()
    expect(comparePackagist('', '1.0.0')).toBeUndefined()
  })

  it('matches a Packagist range against a lockfile tag with its v, and a NuGet range across four parts', () => {
    const process = advisory('TEST-PACKAGIST-3', 'Packagist', 'symfony/process', '5.4.46')
    const sdk = advisory('TEST-NUGET-3', 'NuGet', 'AWSSDK.Core', '3.7.0')

    expect(isAffected(process, 'Packagist', 'symfony/process', 'v5.4.45')).toBe(true)
    expect(isAffected(process, 'Packagist', 'symfony/process', 'v5.4.46')).toBe(false)
    expect(isAffected(process, 'Packagist', 'symfony/process', 'v5.4.51')).toBe(false)
    expect(isAffected(sdk, 'NuGet', 'awssdk.core', '3.5.1.30')).toBe(true)
    expect(isAffected(sdk, 'NuGet', 'AWSSDK.Core', '3.7.0.0')).toBe(false)
  })
})
