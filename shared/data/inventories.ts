// What a scan's lockfiles named: every package with its ecosystem, version, lockfile and way in, kept with the
// scan so its SBOM describes that exact snapshot. Stored as gzipped JSON in parts under the scan's partition
// (a 100,000-package monorepo is megabytes of JSON; an item holds 400 KB).
import { gunzipSync, gzipSync } from 'node:zlib'
import type { ScanId } from '../ids.js'
import * as z from '../zod.js'
import { deleteKeys, putItems, queryByPrefix, type StoredItem, under } from './db.js'
import * as keys from './keys.js'

export const inventoryPackage = z.object({
  ecosystem: z.string(),
  name: z.string(),
  version: z.string(),
  path: z.string(),
  direct: z.optional(z.boolean()),
  via: z.optional(z.string()),
  scope: z.optional(z.enum(['runtime', 'dev'])),
})
export type InventoryPackage = z.infer<typeof inventoryPackage>

/** Packages per part: ~150 bytes each before gzip keeps a part far under DynamoDB's 400 KB. */
const perPart = 5_000

export async function putInventory(scan: ScanId, packages: InventoryPackage[]): Promise<void> {
  const parts: StoredItem[] = []
  for (let at = 0; at === 0 || at < packages.length; at += perPart)
    parts.push({
      ...keys.inventoryPart(scan, parts.length),
      packages: gzipSync(JSON.stringify(packages.slice(at, at + perPart))),
    })
  await putItems(parts)
}

/** The scan's packages, or undefined when it kept none (a scan without the dependencies engine). */
export async function getInventory(scan: ScanId): Promise<InventoryPackage[] | undefined> {
  const parts = await inventoryParts(scan)
  if (parts.length === 0) return undefined
  return parts.flatMap((part) =>
    z.array(inventoryPackage).parse(JSON.parse(gunzipSync(part.packages as Uint8Array).toString('utf8'))),
  )
}

async function inventoryParts(scan: ScanId): Promise<StoredItem[]> {
  const parts: StoredItem[] = []
  for (let page = await queryByPrefix(under(keys.inventoryOf(scan))); ; ) {
    parts.push(...page.items)
    if (!page.lastKey) return parts
    page = await queryByPrefix({ ...under(keys.inventoryOf(scan)), page: { limit: 100, startKey: page.lastKey } })
  }
}

export async function deleteInventory(scan: ScanId): Promise<void> {
  await deleteKeys(await inventoryParts(scan))
}
