import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  type AdvisorySource,
  dependenciesEngine,
  matchDependencies,
  memoryAdvisorySource,
  OsvRecord,
  scanDependencies,
} from '../../shared/scanning/engines/dependencies/index.js'
import { lockfilesOf, parseLockfile } from '../../shared/scanning/engines/dependencies/lockfiles/index.js'
import { nameAndVersionOfKey } from '../../shared/scanning/engines/dependencies/lockfiles/pnpm.js'
import { fixedVersionsAbove, isAffected } from '../../shared/scanning/engines/dependencies/osv.js'
import { loadOsvRecords, readOsvFiles, recordsOfJson } from '../../shared/scanning/engines/dependencies/osv-files.js'
import { cvss3BaseScore, severityOf } from '../../shared/scanning/engines/dependencies/severity.js'
import { type Dependency, lockfileLimits } from '../../shared/scanning/engines/dependencies/types.js'
import {
  compareGem,
  compareGo,
  compareMaven,
  comparePep440,
  compareSemver,
} from '../../shared/scanning/engines/dependencies/versions.js'
import { zip } from '../support/archives.js'
import { lockfileLabels, lockfilesDir, osvDir, osvFiles } from '../support/dependency-fixtures.js'
import { folderSource } from '../support/folder-source.js'

const records = osvFiles.map((name) => OsvRecord.parse(JSON.parse(readFileSync(join(osvDir, name), 'utf8'))))
const recordById = (id: string) => records.find((record) => record.id === id)!

const parse = (path: string) => parseLockfile(path, readFileSync(join(lockfilesDir, path)))
const coordinates = (deps: Dependency[]) => deps.map((dep) => `${dep.name}@${dep.version}`).sort()

describe('lockfile parsers', () => {
  it('reads package-lock v1, following nested dependencies and skipping git versions', () => {
    const { dependencies, notes } = parse('npm/lock-v1/package-lock.json')

    expect(coordinates(dependencies)).toEqual([
      'lodash@4.17.11',
      'minimist@0.0.8',
      'minimist@1.2.6',
      'mkdirp@0.5.1',
      'ms@2.1.3',
    ])
    expect(dependencies.find((dep) => dep.name === 'lodash')).toMatchObject({ ecosystem: 'npm', line: 7 })
    expect(notes).toEqual([])
  })

  it('reads package-lock v3 packages, with nested copies, direct flags, and no workspace links', () => {
    const { dependencies } = parse('npm/lock-v3/package-lock.json')

    expect(coordinates(dependencies)).toEqual([
      'lodash-es@4.17.21',
      'lodash@4.17.15',
      'lodash@4.17.15',
      'minimist@1.2.5',
      'minimist@1.2.6',
      'mkdirp@0.5.5',
      'old-utils@1.0.0',
    ])
    const nested = dependencies.find((dep) => dep.name === 'minimist' && dep.version === '1.2.5')!
    expect(nested).toMatchObject({ direct: false, line: 40 })
    expect(dependencies.find((dep) => dep.name === 'mkdirp')?.direct).toBe(true)
    expect(dependencies.find((dep) => dep.name === 'old-utils')?.direct).toBe(false)
  })

  it('reads yarn classic, resolving npm: aliases to the real package', () => {
    const { dependencies } = parse('npm/yarn-classic/yarn.lock')

    expect(coordinates(dependencies)).toEqual([
      '@babel/helper-plugin-utils@7.10.4',
      'lodash@4.17.19',
      'minimist@1.2.6',
      'mkdirp@0.5.6',
      'string-width@4.2.3',
    ])
    expect(dependencies.find((dep) => dep.name === 'lodash')?.line).toBe(9)
  })

  it('reads yarn berry from resolutions, skipping the workspace itself', () => {
    const { dependencies } = parse('npm/yarn-berry/yarn.lock')

    expect(coordinates(dependencies)).toEqual(['lodash@4.17.20', 'minimist@1.2.5'])
  })

  it('reads pnpm v6 and v9 keys, peers suffixes and importers', () => {
    const v6 = parse('npm/pnpm-v6/pnpm-lock.yaml').dependencies
    const v9 = parse('npm/pnpm-v9/pnpm-lock.yaml').dependencies

    expect(coordinates(v6)).toEqual(['@babel/core@7.22.0', 'lodash@4.17.4', 'minimist@1.2.8'])
    expect(v6.find((dep) => dep.name === 'lodash')).toMatchObject({ direct: true, line: 17 })
    expect(v6.find((dep) => dep.name === '@babel/core')?.direct).toBe(false)
    expect(coordinates(v9)).toEqual(['lodash@4.17.21', 'minimist@1.2.0'])
    expect(v9.every((dep) => dep.direct)).toBe(true)
    expect(nameAndVersionOfKey('/@scope/pkg/1.2.3_react@18.0.0')).toEqual({ name: '@scope/pkg', version: '1.2.3' })
  })

  it('reads pinned requirements only, normalising names, and says how many ranges it skipped', () => {
    const { dependencies, notes } = parse('pypi/requirements/requirements.txt')

    expect(dependencies.map((dep) => [dep.name, dep.version, dep.line])).toEqual([
      ['django', '3.2.3', 2],
      ['requests', '2.31.0', 4],
    ])
    expect(notes).toEqual([expect.stringContaining('2 requirement(s) not pinned')])
  })

  it('reads poetry.lock without directory sources, and Pipfile.lock without editable entries', () => {
    const poetry = parse('pypi/poetry/poetry.lock').dependencies
    const pipenv = parse('pypi/pipenv/Pipfile.lock').dependencies

    expect(coordinates(poetry)).toEqual(['django@3.2.4', 'requests@2.28.1'])
    expect(poetry.find((dep) => dep.name === 'requests')?.line).toBe(12)
    expect(coordinates(pipenv)).toEqual(['django@2.2.24', 'requests@2.25.1'])
  })

  it('reads go.mod blocks and single requires with indirect marks, and go.sum without /go.mod lines', () => {
    const mod = parse('go/module/go.mod').dependencies
    const sum = parse('go/sum-only/go.sum').dependencies

    expect(mod.map((dep) => [dep.name, dep.version, dep.direct, dep.line])).toEqual([
      ['github.com/opencontainers/runc', 'v1.1.0', true, 6],
      ['golang.org/x/sys', 'v0.0.0-20210630005230-0f9fa26af87c', false, 7],
      ['golang.org/x/text', 'v0.3.7', true, 10],
    ])
    expect(coordinates(sum)).toEqual(['github.com/opencontainers/runc@v1.0.2', 'golang.org/x/sys@v0.1.0'])
  })

  it('follows go.mod replace directives to the module that builds, and drops local ones', () => {
    const text = [
      'module example.com/app',
      'require (',
      '  github.com/a/b v1.0.0',
      '  github.com/c/d v1.2.0',
      ')',
      'replace github.com/a/b => github.com/fork/b v1.0.1',
      'replace github.com/c/d v1.2.0 => ./local/d',
    ].join('\n')

    const { dependencies } = parseLockfile('go.mod', text)

    expect(dependencies.map((dep) => `${dep.name}@${dep.version}`)).toEqual(['github.com/fork/b@v1.0.1'])
  })

  it('prefers go.mod to a go.sum beside it, and ignores node_modules and vendor', () => {
    expect(
      lockfilesOf([
        'go/module/go.mod',
        'go/module/go.sum',
        'go/sum-only/go.sum',
        'node_modules/x/package-lock.json',
        'vendor/github.com/x/go.mod',
        'requirements/dev.txt',
        'requirements-test.txt',
        'README.md',
      ]),
    ).toEqual(['go/module/go.mod', 'go/sum-only/go.sum', 'requirements/dev.txt', 'requirements-test.txt'])
  })

  it('reads Cargo.lock registry crates, both versions of a crate, and direct ones from workspace members', () => {
    const { dependencies } = parse('crates/Cargo.lock')

    expect(coordinates(dependencies)).toEqual([
      'aho-corasick@0.7.18',
      'memchr@2.4.1',
      'old-parser@0.2.0',
      'regex@1.5.4',
      'regex@1.9.6',
    ])
    expect(dependencies.find((dep) => dep.version === '1.5.4')).toMatchObject({ line: 30 })
    expect(dependencies.find((dep) => dep.name === 'old-parser')?.direct).toBe(true)
  })

  it('reads Gemfile.lock GEM specs without platforms or GIT gems, and marks DEPENDENCIES direct', () => {
    const { dependencies } = parse('rubygems/vulnerable/Gemfile.lock')

    expect(coordinates(dependencies)).toEqual([
      'activesupport@6.1.4',
      'concurrent-ruby@1.1.9',
      'nokogiri@1.13.10',
      'racc@1.6.2',
      'thread_safe@0.3.6',
      'tzinfo@1.2.9',
    ])
    expect(dependencies.find((dep) => dep.name === 'tzinfo')).toMatchObject({ direct: true, line: 11 })
    expect(dependencies.find((dep) => dep.name === 'racc')?.direct).toBe(false)
  })

  it('reads pom.xml declared versions, resolving properties and skipping unversioned and ranges', () => {
    const { dependencies, notes } = parse('maven/vulnerable/pom.xml')

    expect(dependencies.map((dep) => [dep.name, dep.version, dep.line])).toEqual([
      ['junit:junit', '4.12', 18],
      ['com.example:billing-api', '1.4.0', 28],
      ['com.google.android.gms:play-services-basement', '17.6.0', 42],
    ])
    expect(notes).toEqual([expect.stringContaining('2 dependency version(s)')])
  })

  it('skips every broken lockfile with a note instead of throwing', () => {
    const broken = readdirSync(join(lockfilesDir, 'broken'))

    const results = broken.map((name) => parse(`broken/${name}`))

    expect(broken.length).toBeGreaterThanOrEqual(10)
    for (const [index, result] of results.entries()) {
      expect(result.dependencies, broken[index]).toEqual([])
      expect(result.notes, broken[index]).toEqual([expect.stringContaining('could not be parsed')])
    }
  })

  it('refuses an oversized file and caps the entry count', () => {
    const many = Array.from({ length: 30 }, (_, i) => `pkg${i}==1.0.${i}`).join('\n')
    const saved = { ...lockfileLimits }

    try {
      lockfileLimits.maxEntries = 10
      const capped = parseLockfile('requirements.txt', many)
      lockfileLimits.maxBytes = 100
      const oversized = parseLockfile('requirements.txt', many)

      expect(capped.dependencies).toHaveLength(10)
      expect(capped.notes).toEqual([expect.stringContaining('30 entries')])
      expect(oversized).toEqual({ dependencies: [], notes: [expect.stringContaining('over the 100-byte limit')] })
    } finally {
      Object.assign(lockfileLimits, saved)
    }
  })
})

describe('version comparators', () => {
  const ordered = (compare: (a: string, b: string) => number | undefined, versions: string[]) => {
    for (let i = 0; i + 1 < versions.length; i++)
      expect(compare(versions[i]!, versions[i + 1]!), `${versions[i]} < ${versions[i + 1]}`).toBe(-1)
  }

  it('orders npm and crates.io by SemVer, prereleases first, build metadata ignored', () => {
    ordered(compareSemver, [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.0.1',
      '1.10.0',
    ])
    expect(compareSemver('1.0.0+build.1', '1.0.0')).toBe(0)
    expect(compareSemver('not-a-version', '1.0.0')).toBeUndefined()
  })

  it('orders PyPI by PEP 440: dev, pre, release, post, epochs and local versions', () => {
    ordered(comparePep440, ['1.0.dev0', '1.0a1', '1.0b2', '1.0rc1', '1.0', '1.0+local.1', '1.0.post1', '1.1', '1!0.1'])
    expect(comparePep440('1.0', '1.0.0')).toBe(0)
    expect(comparePep440('3.2', '3.2.3')).toBe(-1)
    expect(comparePep440('not a version', '1.0')).toBeUndefined()
  })

  it('orders Go versions with or without v, pseudo-versions by their timestamp', () => {
    ordered(compareGo, [
      'v0.0.0-20210630005230-0f9fa26af87c',
      '0.0.0-20220412211240-33da011f77ad',
      'v0.1.0',
      '1.0.1-0.20211012131345-9c444070ec7b',
      'v1.0.2',
      '1.1.0',
      'v2.0.0+incompatible',
    ])
    expect(compareGo('v1.18.0-0', '1.18.0')).toBe(-1)
    expect(compareGo('v1.2.3', '1.2.3')).toBe(0)
  })

  it('orders RubyGems by Gem::Version: prerelease letters before the release, trailing zeros ignored', () => {
    ordered(compareGem, ['1.0.0.a', '1.0.0.b1', '1.0.0.pre', '1.0.0.rc1', '1.0.0', '1.0.1', '1.2.9', '1.2.10', '2'])
    expect(compareGem('1.0', '1.0.0')).toBe(0)
    expect(compareGem('1.0.0-rc1', '1.0.0.pre.rc1')).toBe(0)
    expect(compareGem('1.0.a10', '1.0.a9')).toBe(1)
    expect(compareGem('1.0 beta', '1.0')).toBeUndefined()
  })

  it('orders Maven by ComparableVersion: qualifiers alpha < beta < milestone < rc < snapshot < release < sp', () => {
    ordered(compareMaven, [
      '1-alpha-1',
      '1-alpha-2',
      '1-beta-1',
      '1-milestone-1',
      '1-rc-1',
      '1-SNAPSHOT',
      '1',
      '1-sp-1',
      '1-abc',
      '1.0.1',
      '1.1',
    ])
    expect(compareMaven('1.0', '1')).toBe(0)
    expect(compareMaven('1.0.0.RELEASE', '1.0.0')).toBe(0)
    expect(compareMaven('1-ga', '1-final')).toBe(0)
    expect(compareMaven('1.0-alpha1', '1.0-a1')).toBe(0)
    expect(compareMaven('1-cr1', '1-rc1')).toBe(0)
    expect(compareMaven('4.13-beta-3', '4.13-rc-1')).toBe(-1)
    expect(compareMaven('4.13-rc-2', '4.13')).toBe(-1)
    expect(compareMaven('4.13', '4.13.1')).toBe(-1)
    expect(compareMaven('1.10', '1.9')).toBe(1)
    expect(compareMaven('1-1', '1.1')).toBe(-1)
    expect(compareMaven('12345678901234567890', '12345678901234567891')).toBe(-1)
  })
})

describe('OSV matching', () => {
  const synthetic = (events: Record<string, string>[], extra: Partial<OsvRecord> = {}) =>
    OsvRecord.parse({
      id: 'TEST-1',
      modified: '2024-01-01T00:00:00Z',
      affected: [{ package: { ecosystem: 'npm', name: 'pkg' }, ranges: [{ type: 'SEMVER', events }] }],
      ...extra,
    })

  it('opens at introduced and closes at fixed, over several intervals in one range', () => {
    const django = recordById('PYSEC-2021-98')

    expect(isAffected(django, 'PyPI', 'django', '2.2.23')).toBe(true)
    expect(isAffected(django, 'PyPI', 'Django', '2.2.24')).toBe(false)
    expect(isAffected(django, 'PyPI', 'django', '3.0')).toBe(true)
    expect(isAffected(django, 'PyPI', 'django', '3.1.12')).toBe(false)
    expect(isAffected(django, 'PyPI', 'django', '3.2')).toBe(true)
    expect(isAffected(django, 'PyPI', 'django', '3.2.4')).toBe(false)
    expect(isAffected(django, 'npm', 'django', '3.2')).toBe(false)
  })

  it('includes last_affected itself, stops at limit, and ignores GIT ranges', () => {
    const lastAffected = synthetic([{ introduced: '1.0.0' }, { last_affected: '1.4.0' }])
    const limited = synthetic([{ introduced: '0' }, { limit: '2.0.0' }])
    const git = OsvRecord.parse({
      id: 'TEST-2',
      modified: '2024-01-01T00:00:00Z',
      affected: [
        {
          package: { ecosystem: 'npm', name: 'pkg' },
          ranges: [{ type: 'GIT', repo: 'https://example.com/r', events: [{ introduced: '0' }, { fixed: 'abc' }] }],
        },
      ],
    })

    expect(isAffected(lastAffected, 'npm', 'pkg', '1.4.0')).toBe(true)
    expect(isAffected(lastAffected, 'npm', 'pkg', '1.4.1')).toBe(false)
    expect(isAffected(lastAffected, 'npm', 'pkg', '0.9.0')).toBe(false)
    expect(isAffected(limited, 'npm', 'pkg', '1.9.9')).toBe(true)
    expect(isAffected(limited, 'npm', 'pkg', '2.0.0')).toBe(false)
    expect(isAffected(git, 'npm', 'pkg', '1.0.0')).toBe(false)
  })

  it('matches an explicit versions list, and nothing for a withdrawn record', () => {
    const listed = OsvRecord.parse({
      id: 'TEST-3',
      modified: '2024-01-01T00:00:00Z',
      affected: [{ package: { ecosystem: 'Maven', name: 'g:a' }, versions: ['1.0-beta-1', '2.0'] }],
    })
    const withdrawn = synthetic([{ introduced: '0' }], { withdrawn: '2024-02-01T00:00:00Z' })

    expect(isAffected(listed, 'Maven', 'g:a', '2.0.0')).toBe(true)
    expect(isAffected(listed, 'Maven', 'g:a', '1.0-beta-2')).toBe(false)
    expect(isAffected(withdrawn, 'npm', 'pkg', '1.0.0')).toBe(false)
  })

  it('names the nearest fixed version above the installed one', () => {
    const minimist = recordById('GHSA-xvch-5gv4-984h')

    expect(fixedVersionsAbove(minimist, 'npm', 'minimist', '0.0.8')).toEqual(['0.2.4', '1.2.6'])
    expect(fixedVersionsAbove(minimist, 'npm', 'minimist', '1.2.5')).toEqual(['1.2.6'])
  })

  it('takes severity from the database, else the CVSS v3 base score, else medium', () => {
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toBe(9.8)
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H')).toBe(7.4)
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N')).toBe(6.1)
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H')).toBe(9.9)
    expect(cvss3BaseScore('AV:N/AC:L/Au:N/C:P/I:P/A:P')).toBeUndefined()
    expect(severityOf(recordById('GHSA-jf85-cpcp-j695'))).toBe('critical')
    expect(severityOf(recordById('GHSA-cm6r-892j-jv2g'))).toBe('medium')
    expect(severityOf({ ...recordById('GHSA-m5pq-gvj9-9vr8'), database_specific: undefined })).toBe('high')
    expect(severityOf(recordById('GO-2022-0493'))).toBe('medium')
  })
})

describe('dependencies engine', () => {
  it('finds exactly the labelled vulnerable packages in every fixture, and none of the clean ones', async () => {
    const scan = await scanDependencies(folderSource(lockfilesDir), memoryAdvisorySource(records))

    for (const [path, label] of Object.entries(lockfileLabels)) {
      const found = scan.findings.filter((finding) => finding.locations[0]!.path === path)
      const identities = found.map((finding) => finding.identity).sort()
      const packages = found.map((finding) => finding.identity.replace(/:[^:]+$/, ''))
      expect(identities, path).toEqual([...label.vulnerable].sort())
      for (const clean of label.clean) expect(packages, `${path} ${clean}`).not.toContain(clean)
    }
    expect(scan.notes.filter((note) => note.includes('could not be parsed'))).toHaveLength(15)
  })

  it('reports one finding per package@version and advisory when a lockfile lists the package twice', async () => {
    const findings = await dependenciesEngine(memoryAdvisorySource(records)).run(
      folderSource(join(lockfilesDir, 'npm', 'lock-v3')),
    )

    const lodash = findings.filter((finding) => finding.metadata.package === 'lodash')
    expect(lodash).toHaveLength(1)
    expect(lodash[0]).toMatchObject({
      engine: 'dependencies',
      rule_id: 'GHSA-p6mc-m468-83gw',
      severity: 'high',
      title: 'Prototype Pollution in lodash',
      cwe: ['CWE-1321', 'CWE-770'],
      fix: 'Upgrade lodash to ≥ 4.17.20.',
      identity: 'npm:lodash@4.17.15:GHSA-p6mc-m468-83gw',
      locations: [{ path: 'package-lock.json', start_line: 21, end_line: 21, snippet: 'lodash@4.17.15' }],
      metadata: {
        ecosystem: 'npm',
        package: 'lodash',
        version: '4.17.15',
        advisory: 'GHSA-p6mc-m468-83gw',
        fixed_version: '4.17.20',
        aliases: 'CVE-2020-8203',
        direct: true,
      },
    })
    expect(lodash[0]!.message).toContain('lodash 4.17.15')
    expect(lodash[0]!.message).toContain('fixed in 4.17.20')
  })

  it('looks each distinct package up once, in batches, with bounded concurrency', async () => {
    const dependencies: Dependency[] = Array.from({ length: 2000 }, (_, i) => ({
      ecosystem: 'npm',
      name: `pkg-${i % 500}`,
      version: '1.0.0',
      path: 'package-lock.json',
    }))
    let inFlight = 0
    let mostInFlight = 0
    const asked: string[] = []
    const batches: number[] = []
    const counting: AdvisorySource = {
      forPackages: async (packages) => {
        asked.push(...packages.map((pkg) => pkg.name))
        batches.push(packages.length)
        mostInFlight = Math.max(mostInFlight, ++inFlight)
        await new Promise((resolve) => setTimeout(resolve, 1))
        inFlight--
        return packages.map(() => [])
      },
      dataFor: async () => ({ records: 0, synced_at: null }),
    }

    const { packages } = await matchDependencies(dependencies, counting, { concurrency: 2, batchSize: 40 })

    expect(packages).toBe(500)
    expect(asked).toHaveLength(500)
    expect(new Set(asked).size).toBe(500)
    expect(batches).toEqual([...Array(12).fill(40), 20])
    expect(mostInFlight).toBe(2)
  })

  it('keeps one of two records that alias each other, preferring GitHub’s', async () => {
    const ghsa = recordById('GHSA-xvch-5gv4-984h')
    const twin = OsvRecord.parse({ ...ghsa, id: 'OTHER-2022-1', aliases: ['GHSA-xvch-5gv4-984h'] })
    const dependency: Dependency = { ecosystem: 'npm', name: 'minimist', version: '1.2.5', path: 'yarn.lock' }

    const { findings } = await matchDependencies([dependency], memoryAdvisorySource([twin, ghsa]))

    expect(findings.map((finding) => finding.rule_id)).toEqual(['GHSA-xvch-5gv4-984h'])
  })

  it('fails with time_budget past the deadline, and stops early with nothing once cancelled', async () => {
    const late = scanDependencies(
      { ...folderSource(lockfilesDir), deadline: Date.now() - 1 },
      memoryAdvisorySource(records),
    )
    const cancelled = await scanDependencies(
      { ...folderSource(lockfilesDir), cancelled: () => true },
      memoryAdvisorySource(records),
    )

    await expect(late).rejects.toMatchObject({ name: 'InputError', code: 'time_budget' })
    expect(cancelled.findings).toEqual([])
  })
})

describe('OSV files', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'vega-osv-'))
  afterAll(() => rmSync(scratch, { recursive: true, force: true }))

  it('reads every record of a folder, and of an all.zip, skipping entries over the size cap', async () => {
    const zipPath = join(scratch, 'all.zip')
    writeFileSync(
      zipPath,
      // As OSV's all.zip is laid out: one record per file.
      zip([
        { name: 'GHSA-xvch-5gv4-984h.json', content: readFileSync(join(osvDir, 'GHSA-xvch-5gv4-984h.json')) },
        { name: 'huge.json', content: Buffer.alloc(400 * 1024, 32) },
        { name: 'README', content: 'not a record' },
      ]),
    )

    const fromFolder: string[] = []
    for await (const item of readOsvFiles(osvDir))
      if ('text' in item) fromFolder.push(...recordsOfJson(item.text).map((record) => (record as OsvRecord).id))
    const fromZip: ({ text: string } | { note: string })[] = []
    for await (const item of readOsvFiles(zipPath)) fromZip.push(item)

    expect(fromFolder.sort()).toEqual(records.map((record) => record.id).sort())
    expect(fromZip).toHaveLength(2)
    expect((recordsOfJson((fromZip[0] as { text: string }).text)[0] as OsvRecord).id).toBe('GHSA-xvch-5gv4-984h')
    expect((fromZip[1] as { note: string }).note).toContain('over the 307200-byte record limit')
  })

  it('loads the shipped records for an in-memory source, skipping what is not a record', async () => {
    const arrayFile = join(scratch, 'answer.json')
    writeFileSync(arrayFile, JSON.stringify({ vulns: [records[0], { id: 'NO-MODIFIED' }] }))
    const skipped: string[] = []

    const fromFolder = await loadOsvRecords(osvDir)
    const fromAnswer = await loadOsvRecords(arrayFile, (why) => skipped.push(why))

    expect(fromFolder).toHaveLength(records.length)
    expect(fromAnswer.map((record) => record.id)).toEqual([records[0]!.id])
    expect(skipped).toEqual([expect.stringContaining('not an OSV record')])
  })

  it('reads a JSON array and an OSV API answer as lists of records', () => {
    expect(recordsOfJson('[{"id": "A"}, {"id": "B"}]')).toHaveLength(2)
    expect(recordsOfJson('{"vulns": [{"id": "A"}]}')).toEqual([{ id: 'A' }])
    expect(recordsOfJson('{"id": "A"}')).toEqual([{ id: 'A' }])
  })
})
