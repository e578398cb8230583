// What a scan reads of the advisory store (advisories.ts writes it): the advisories of its packages and
// each ecosystem's data, as the dependencies engine's AdvisorySource. Apart from the imports and syncs, so
// the ops function, which only imports, does not bundle the package items' schema (a zod Set).
import type { AdvisorySource } from '../scanning/engines/dependencies/advisory-source.js'
import { OsvRecord } from '../scanning/engines/dependencies/osv.js'
import { normalisePackageName } from '../scanning/engines/dependencies/types.js'
import * as z from '../zod.js'
import { advisoryDataOf, advisoryItem, type PackageRef } from './advisories.js'
import { getItems, recordOf } from './db.js'
import * as keys from './keys.js'

/** A package's advisories: the ids of the records that name it. */
const packageItem = z.object({ ids: z._default(z.set(z.string()), new Set()) })

/**
 * The stored advisories of many packages, one list per package in the order asked: their package items in
 * batches of 100, then every record they name once, in batches of 100. PyPI names are filed normalised.
 */
export async function advisoriesOf(packages: PackageRef[]): Promise<OsvRecord[][]> {
  const refs = packages.map(({ ecosystem, name }) => ({ ecosystem, name: normalisePackageName(ecosystem, name) }))
  const idsOf = new Map<string, Set<string>>()
  for (const item of await getItems(refs.map((ref) => keys.advisoryPackage(ref.ecosystem, ref.name))))
    idsOf.set(String(item.pk), recordOf(packageItem, item).ids)
  const wanted = new Set([...idsOf.values()].flatMap((ids) => [...ids]))
  const records = new Map<string, OsvRecord>()
  for (const item of await getItems([...wanted].map(keys.advisoryRecord))) {
    const { id, osv } = recordOf(advisoryItem, item)
    records.set(id, OsvRecord.parse(JSON.parse(osv)))
  }
  return refs.map((ref) => {
    const ids = idsOf.get(keys.advisoryPackage(ref.ecosystem, ref.name).pk) ?? new Set<string>()
    return [...ids].sort().flatMap((id) => records.get(id) ?? [])
  })
}

/** Every stored advisory of one package. */
export const advisoriesFor = async (ecosystem: string, name: string): Promise<OsvRecord[]> =>
  (await advisoriesOf([{ ecosystem, name }]))[0]!

/** The engine's advisory source over the store. */
export const dynamoAdvisorySource = (): AdvisorySource => ({
  forPackages: advisoriesOf,
  dataFor: async (ecosystem) => {
    const data = await advisoryDataOf(ecosystem)
    return { records: data?.records ?? 0, synced_at: data?.synced_at ?? null }
  },
})
