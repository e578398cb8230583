// Where the engine finds advisories: the store in a deployment, a list of records in tests and local scans.
import { type OsvRecord, packagesOf } from './osv.js'
import { normalisePackageName } from './types.js'

export interface AdvisorySource {
  forPackage(ecosystem: string, name: string): Promise<OsvRecord[]>
}

export const packageKey = (ecosystem: string, name: string) =>
  `${ecosystem}\u0000${normalisePackageName(ecosystem, name)}`

/** An in-memory source over records already parsed (OsvRecord.parse). */
export function memoryAdvisorySource(records: OsvRecord[]): AdvisorySource & { size: number } {
  const byPackage = new Map<string, OsvRecord[]>()
  for (const record of records)
    for (const { ecosystem, name } of packagesOf(record)) {
      const key = packageKey(ecosystem, name)
      byPackage.set(key, [...(byPackage.get(key) ?? []), record])
    }
  return {
    size: records.length,
    forPackage: async (ecosystem, name) => byPackage.get(packageKey(ecosystem, name)) ?? [],
  }
}
