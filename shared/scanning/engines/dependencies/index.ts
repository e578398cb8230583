// The dependencies (SCA) engine: parse every lockfile in the tree, look each distinct package up once, and
// report each installed version an OSV advisory affects (DESIGN.md "Scanning"; issue #7 item 3).
import { InputError } from '../../../errors.js'
import { type AdvisoryDataUsed, type Engine, type EngineFinding, readHeadFile, type ScanSource } from '../../engine.js'
import { type AdvisorySource, packageKey } from './advisory-source.js'
import { lockfilesOf, parseLockfile } from './lockfiles/index.js'
import { fixedVersionsAbove, isAffected, lastAffectedAtOrAbove, type OsvRecord } from './osv.js'
import { importsOf, reachabilityOf } from './reachability.js'
import { severityOf } from './severity.js'
import { type Dependency, lockfileLimits } from './types.js'

export { type AdvisorySource, memoryAdvisorySource } from './advisory-source.js'
export { OsvRecord } from './osv.js'
export { loadOsvRecords } from './osv-files.js'

export interface DependencyScan {
  findings: EngineFinding[]
  /** Lockfiles skipped or partly read, and why. */
  notes: string[]
  lockfiles: number
  /** Entries read from lockfiles, and distinct (ecosystem, name) pairs looked up. */
  dependencies: number
  packages: number
  /** Per ecosystem met in the lockfiles: the advisory data matched against. */
  advisories: Record<string, AdvisoryDataUsed>
}

export interface DependenciesOptions {
  /** Batches of advisory lookups in flight at once. */
  concurrency?: number
  /** Packages looked up in one batch (a DynamoDB BatchGetItem takes 100 keys). */
  batchSize?: number
  /** Told each note (a skipped lockfile, unpinned requirements) as the scan meets it. */
  onNote?: (note: string) => void
}

/** Runs `work` over `items` with at most `limit` in flight; results keep the items' order. */
async function mapBounded<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await work(items[index]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

/** GitHub's records carry a severity and CWEs; prefer them when databases describe the same flaw twice. */
const preference = (record: OsvRecord) => (record.id.startsWith('GHSA-') ? 0 : 1)

/** Drops a record that is an alias of one already kept (PYSEC-… and GHSA-… for one CVE, say). */
function withoutAliases(records: OsvRecord[]): OsvRecord[] {
  const kept: OsvRecord[] = []
  const known = new Set<string>()
  for (const record of [...records].sort((a, b) => preference(a) - preference(b) || a.id.localeCompare(b.id))) {
    const names = [record.id, ...(record.aliases ?? [])]
    if (names.some((name) => known.has(name))) continue
    kept.push(record)
    for (const name of names) known.add(name)
  }
  return kept
}

export function findingFor(dependency: Dependency, record: OsvRecord, data?: AdvisoryDataUsed): EngineFinding {
  const { ecosystem, name, version } = dependency
  const fixed = fixedVersionsAbove(record, ecosystem, name, version)
  const lastAffected = lastAffectedAtOrAbove(record, ecosystem, name, version)
  const fixText =
    fixed.length > 0
      ? `Upgrade ${name} to ≥ ${fixed[0]}.`
      : lastAffected.length > 0
        ? `Upgrade ${name} to a version after ${lastAffected[0]}.`
        : `No fixed version of ${name} is known: remove it or replace it.`
  const fixedText = fixed.length > 0 ? `fixed in ${fixed.join(', ')}` : 'no fixed version is known'
  return {
    engine: 'dependencies',
    rule_id: record.id,
    severity: severityOf(record),
    title: (record.summary ?? record.details ?? record.id).split('\n')[0]!.slice(0, 200),
    message: `${name} ${version} (${ecosystem}) is affected by ${record.id}; ${fixedText}.`,
    cwe: record.database_specific?.cwe_ids ?? [],
    fix: fixText,
    identity: `${ecosystem}:${name}@${version}:${record.id}`,
    locations: [
      {
        path: dependency.path,
        start_line: dependency.line ?? 1,
        end_line: dependency.line ?? 1,
        snippet: `${name}@${version}`,
      },
    ],
    metadata: {
      ecosystem,
      package: name,
      version,
      advisory: record.id,
      fixed_version: fixed[0] ?? null,
      aliases: (record.aliases ?? []).join(', '),
      direct: dependency.direct ?? null,
      via: dependency.via ?? null,
      scope: dependency.scope ?? null,
      // Set by the engine once it has read the tree's imports (reachability.ts).
      reachable: 'unknown',
      // Which advisory data said so: a finding from data synced long ago may miss newer advisories.
      advisories_records: data?.records ?? null,
      advisories_synced_at: data?.synced_at ?? null,
    },
  }
}

/** Matches parsed dependencies against the source: each distinct package once, in batches, bounded concurrency. */
export async function matchDependencies(
  dependencies: Dependency[],
  advisories: AdvisorySource,
  options: Pick<DependenciesOptions, 'concurrency' | 'batchSize'> & { deadline?: number } = {},
): Promise<{ findings: EngineFinding[]; packages: number; data: Record<string, AdvisoryDataUsed> }> {
  const byPackage = new Map<string, Dependency[]>()
  for (const dependency of dependencies) {
    const key = packageKey(dependency.ecosystem, dependency.name)
    const list = byPackage.get(key)
    if (list) list.push(dependency)
    else byPackage.set(key, [dependency])
  }
  const groups = [...byPackage.values()]
  const ecosystemsSeen = [...new Set(dependencies.map((dependency) => dependency.ecosystem))].sort()
  const data = Object.fromEntries(
    await Promise.all(
      ecosystemsSeen.map(async (ecosystem) => [ecosystem, await advisories.dataFor(ecosystem)] as const),
    ),
  )
  const batchSize = options.batchSize ?? 100
  const batches = Array.from({ length: Math.ceil(groups.length / batchSize) }, (_, i) =>
    groups.slice(i * batchSize, (i + 1) * batchSize),
  )
  const recordsOfBatches = await mapBounded(batches, options.concurrency ?? 4, (batch) => {
    if (options.deadline !== undefined && Date.now() > options.deadline)
      throw new InputError('time_budget', 'advisory lookups ran past the time budget')
    return advisories.forPackages(batch.map((group) => group[0]!))
  })
  const recordsOfGroups = recordsOfBatches.flat()

  const findings = new Map<string, EngineFinding>()
  groups.forEach((group, index) => {
    const records = recordsOfGroups[index]!
    if (records.length === 0) return
    for (const dependency of group) {
      const matched = withoutAliases(
        records.filter((record) => isAffected(record, dependency.ecosystem, dependency.name, dependency.version)),
      )
      for (const record of matched) {
        const finding = findingFor(dependency, record, data[dependency.ecosystem])
        // One finding per (lockfile, package@version, advisory): a package listed twice keeps its first line.
        const key = `${dependency.path}\u0000${finding.identity}`
        const existing = findings.get(key)
        if (!existing || finding.locations[0]!.start_line < existing.locations[0]!.start_line)
          findings.set(key, finding)
      }
    }
  })
  return { findings: [...findings.values()], packages: groups.length, data }
}

/** The whole engine, with what it read and skipped; `dependenciesEngine` returns just the findings. */
export async function scanDependencies(
  source: ScanSource,
  advisories: AdvisorySource,
  options: DependenciesOptions = {},
): Promise<DependencyScan> {
  const notes: string[] = []
  const note = (text: string) => {
    notes.push(text)
    options.onNote?.(text)
  }
  const dependencies: Dependency[] = []
  const sizes = new Map(source.files.map((file) => [file.path, file.size]))
  const lockfiles = lockfilesOf([...sizes.keys()])
  for (const path of lockfiles) {
    if (Date.now() > source.deadline)
      throw new InputError('time_budget', 'dependency scanning ran past its time budget')
    if (source.cancelled?.())
      return { findings: [], notes, lockfiles: lockfiles.length, dependencies: 0, packages: 0, advisories: {} }
    // Oversized files are refused before they are read.
    const size = sizes.get(path) ?? 0
    const parsed =
      size > lockfileLimits.maxBytes
        ? {
            dependencies: [],
            notes: [`${path}: ${size} bytes is over the ${lockfileLimits.maxBytes}-byte limit; skipped`],
          }
        : parseLockfile(path, readHeadFile(source, path))
    dependencies.push(...parsed.dependencies)
    for (const text of parsed.notes) note(text)
  }
  const { findings, packages, data } = await matchDependencies(dependencies, advisories, {
    concurrency: options.concurrency,
    batchSize: options.batchSize,
    deadline: source.deadline,
  })
  source.used = {
    ...source.used,
    advisories: data,
    packages: dependencies.map(({ ecosystem, name, version, path, direct, via, scope }) => ({
      ecosystem,
      name,
      version,
      path,
      ...(direct === undefined ? {} : { direct }),
      ...(via === undefined ? {} : { via }),
      ...(scope === undefined ? {} : { scope }),
    })),
  }
  // Import reachability costs a read of the source files: only when there is a finding it can speak to.
  if (findings.some((finding) => finding.metadata.ecosystem === 'npm' || finding.metadata.ecosystem === 'PyPI')) {
    const imports = await importsOf(source)
    for (const finding of findings)
      finding.metadata.reachable = reachabilityOf(
        imports,
        String(finding.metadata.ecosystem),
        String(finding.metadata.package),
      )
  }
  return { findings, notes, lockfiles: lockfiles.length, dependencies: dependencies.length, packages, advisories: data }
}

export function dependenciesEngine(advisories: AdvisorySource, options: DependenciesOptions = {}): Engine {
  return {
    name: 'dependencies',
    run: async (source) => (await scanDependencies(source, advisories, options)).findings,
  }
}
