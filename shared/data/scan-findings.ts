// A scan's findings as a push's verdict counts them: the findings its occurrences name, and of each only
// the status, severity and first scan. findings.ts reads the whole record (locations, flows, metadata,
// triage); the verdict needs three fields, and a module of its own keeps that record's schema and the rest
// of findings.ts out of the git-uploads function.
import { FindingId, ScanId } from '../ids.js'
import { severities } from '../scanning/engine.js'
import * as z from '../zod.js'
import { getItems, type PageRequest, queryByPrefix, recordOf } from './db.js'
import * as keys from './keys.js'

const countedFinding = z.object({
  id: FindingId,
  /** Only compared with `open`: the record's own schema holds the closed set. */
  status: z.string(),
  severity: z.enum(severities),
  first_seen_scan_id: ScanId,
})
export type CountedFinding = z.infer<typeof countedFinding>

/** The ids of the findings one scan saw, every page: its occurrences, read for their finding's id alone. */
export async function findingIdsOfScan(scan: ScanId): Promise<FindingId[]> {
  const { gsi2pk, gsi2skPrefix } = keys.findingsOfScan(scan)
  const ids: FindingId[] = []
  let startKey: PageRequest['startKey']
  do {
    const page = await queryByPrefix({
      index: 'gsi2',
      partition: gsi2pk,
      prefix: gsi2skPrefix,
      page: { limit: 1000, startKey },
      attributes: ['finding_id'],
    })
    for (const item of page.items) ids.push(recordOf(FindingId, item.finding_id))
    startKey = page.lastKey
  } while (startKey)
  return ids
}

/** The findings one scan saw, in no particular order. */
export async function findingsSeenBy(scan: ScanId): Promise<CountedFinding[]> {
  const ids = await findingIdsOfScan(scan)
  return (await getItems(ids.map((id) => keys.findingById(id)))).map((item) => recordOf(countedFinding, item))
}
