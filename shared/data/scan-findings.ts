// A scan's findings as a push's verdict counts them: the findings its occurrences name, and of each only
// the status, severity and first scan. findings.ts reads the whole record (locations, flows, metadata,
// triage); the verdict needs three fields, and a module of its own keeps that record's schema and the rest
// of findings.ts out of the git-uploads function.
import { FindingId, ScanId } from '../ids.js'
import { severities } from '../scanning/engine.js'
import * as z from '../zod.js'
import { getItems, type PageRequest, queryRecords, recordOf, under } from './db.js'
import * as keys from './keys.js'

const occurrenceOf = z.object({ finding_id: FindingId })
const countedFinding = z.object({
  id: FindingId,
  /** Only compared with `open`: the record's own schema holds the closed set. */
  status: z.string(),
  severity: z.enum(severities),
  first_seen_scan_id: ScanId,
})
export type CountedFinding = z.infer<typeof countedFinding>

/** The findings one scan saw (every page of its occurrences), in no particular order. */
export async function findingsSeenBy(scan: ScanId): Promise<CountedFinding[]> {
  const ids: FindingId[] = []
  let startKey: PageRequest['startKey']
  do {
    const page = await queryRecords(occurrenceOf, {
      ...under(keys.findingsOfScan(scan)),
      page: { limit: 500, startKey },
    })
    ids.push(...page.items.map((occurrence) => occurrence.finding_id))
    startKey = page.lastKey
  } while (startKey)
  return (await getItems(ids.map((id) => keys.findingById(id)))).map((item) => recordOf(countedFinding, item))
}
