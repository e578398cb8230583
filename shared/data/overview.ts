import type { WorkspaceId } from '../ids.js'
import * as z from '../zod.js'
import { queryRange, recordOf, tableName } from './db.js'
import * as keys from './keys.js'

/** What a day counts. */
export const dayFigures = [
  /** Findings first seen (created open). */
  'new_findings',
  /** Open findings a newer complete scan no longer saw. */
  'fixed_findings',
  /** Fixed findings seen again. */
  'reopened_findings',
  /** The open time of the findings fixed that day, summed (mean time to fix = fix_seconds / fixed_findings). */
  'fix_seconds',
  /** Scans that finished, succeeded or failed (cancelled ones are not counted). */
  'scans',
  'scans_failed',
  /** Succeeded scans whose gate failed. */
  'gate_failures',
] as const
export type DayFigure = (typeof dayFigures)[number]
export type DayFigures = Record<DayFigure, number>

const dayRecord = z.object({
  day: z.string(),
  ...(Object.fromEntries(dayFigures.map((name) => [name, z._default(z.number(), 0)])) as Record<
    DayFigure,
    z.ZodMiniDefault<z.ZodMiniNumber>
  >),
})
export type DayRecord = z.infer<typeof dayRecord>

export const utcDay = (at: string | Date = new Date()) => new Date(at).toISOString().slice(0, 10)

/**
 * The transaction item that adds to a day's counters of a workspace (today, UTC, unless `at` says), on
 * the item the id of what is counted (a finding, a scan) falls on. It has no condition: it rides on the
 * transition's own, in the same transaction.
 */
export function addToDay(
  workspace: WorkspaceId,
  spreadBy: string,
  figures: Partial<DayFigures>,
  at: string | Date = new Date(),
) {
  const day = utcDay(at)
  const added = Object.entries(figures).filter(([, value]) => value !== undefined && value !== 0)
  return {
    Update: {
      TableName: tableName(),
      Key: keys.overviewDay(workspace, day, spreadBy),
      UpdateExpression: `SET #day = :day${added.length ? ` ADD ${added.map((_, i) => `#f${i} :f${i}`).join(', ')}` : ''}`,
      ExpressionAttributeNames: {
        '#day': 'day',
        ...Object.fromEntries(added.map(([name], index) => [`#f${index}`, name])),
      },
      ExpressionAttributeValues: {
        ':day': day,
        ...Object.fromEntries(added.map(([, value], index) => [`:f${index}`, value])),
      },
    },
  }
}

/** Every counter item of the days in [first, last] (YYYY-MM-DD), a few per day. */
export async function listDays(workspace: WorkspaceId, first: string, last: string): Promise<DayRecord[]> {
  const range = keys.overviewDays(workspace, first, last)
  return (await queryRange(range)).map((item) => recordOf(dayRecord, item))
}
