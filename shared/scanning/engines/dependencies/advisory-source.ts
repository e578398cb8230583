// Where the engine finds advisories: the store in a deployment, a list of records in tests and local scans.
import type { AdvisoryDataUsed } from '../../engine.js'
import { type OsvRecord, packagesOf } from './osv.js'
import { normalisePackageName } from './types.js'

export interface AdvisorySource {
  /** The advisories of each package, one list per package in the order given (a store reads them in batches). */
  forPackages(packages: { ecosystem: string; name: string }[]): Promise<OsvRecord[][]>
  /** What the source holds for an ecosystem: how many advisories, synced when. */
  dataFor(ecosystem: string): Promise<AdvisoryDataUsed>
}

export const packageKey = (ecosystem: string, name: string) =>
  `${ecosystem}\u0000${normalisePackageName(ecosystem, name)}`

/** An in-memory source over records already parsed (OsvRecord.parse), loaded at `loadedAt` (default: never synced). */
export function memoryAdvisorySource(
  records: OsvRecord[],
  loadedAt: string | null = null,
): AdvisorySource & { size: number } {
  const byPackage = new Map<string, OsvRecord[]>()
  const perEcosystem = new Map<string, Set<string>>()
  for (const record of records)
    for (const { ecosystem, name } of packagesOf(record)) {
      const key = packageKey(ecosystem, name)
      byPackage.set(key, [...(byPackage.get(key) ?? []), record])
      perEcosystem.set(ecosystem, (perEcosystem.get(ecosystem) ?? new Set()).add(record.id))
    }
  return {
    size: records.length,
    forPackages: async (packages) =>
      packages.map(({ ecosystem, name }) => byPackage.get(packageKey(ecosystem, name)) ?? []),
    dataFor: async (ecosystem) => ({ records: perEcosystem.get(ecosystem)?.size ?? 0, synced_at: loadedAt }),
  }
}
