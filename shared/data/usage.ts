// Usage: one line item per billed scan, and per-day and per-month aggregates per workspace, project and
// repository. The line's conditional put and every aggregate's ADD are one transaction, so a scan is
// counted once however often it is metered, and a summary reads O(groups), never the lines.
import { documents } from '../aws/clients.js'
import { ProjectId, RepositoryId, ScanId, WorkspaceId } from '../ids.js'
import * as z from '../zod.js'
import { commands, type Page, type PageRequest, queryRange, recordOf, tableName } from './db.js'
import * as keys from './keys.js'

export const usageLineRecord = z.object({
  scan_id: ScanId,
  workspace_id: WorkspaceId,
  project_id: ProjectId,
  repository_id: RepositoryId,
  engines: z.array(z.string()),
  files: z.number(),
  bytes: z.number(),
  commits: z.number(),
  duration_ms: z.number(),
  memory_mb: z.number(),
  /** The cost in micro-units of `currency`, at the price in force on `at`'s day. */
  cost_micros: z.number(),
  currency: z.string(),
  price_effective_from: z.string(),
  /** When the scan finished (was metered), ISO 8601 UTC. */
  at: z.string(),
})
export type UsageLineRecord = z.infer<typeof usageLineRecord>

const dimensions = ['WS', 'PRJ', 'REPO'] as const
export type Dimension = (typeof dimensions)[number]
const periods = ['D', 'M'] as const
export type Period = (typeof periods)[number]

/** The figures an aggregate sums. */
export const summed = ['scans', 'files', 'bytes', 'commits', 'duration_ms', 'cost_micros'] as const
export type Figures = Record<(typeof summed)[number], number>

const aggregateRecord = z.object({
  ...(Object.fromEntries(summed.map((figure) => [figure, z.number()])) as Record<keyof Figures, z.ZodMiniNumber>),
  period: z.enum(periods),
  dimension: z.enum(dimensions),
  /** YYYY-MM-DD for a day, YYYY-MM for a month. */
  bucket: z.string(),
  /** The workspace, project or repository id. */
  group: z.string(),
})
export type AggregateRecord = z.infer<typeof aggregateRecord>

const groupsOf = (line: UsageLineRecord): [Dimension, string][] => [
  ['WS', line.workspace_id],
  ['PRJ', line.project_id],
  ['REPO', line.repository_id],
]

function addTo(line: UsageLineRecord, period: Period, dimension: Dimension, group: string) {
  const bucket = period === 'D' ? line.at.slice(0, 10) : line.at.slice(0, 7)
  return {
    Update: {
      TableName: tableName(),
      Key: keys.usageAggregate(line.workspace_id, period, dimension, bucket, group),
      // Every name through #aliases: several of them are DynamoDB reserved words.
      UpdateExpression:
        'SET #period = :period, #dimension = :dimension, #bucket = :bucket, #group = :group ' +
        'ADD #scans :one, #files :files, #bytes :bytes, #commits :commits, #duration :duration, #cost :cost',
      ExpressionAttributeNames: {
        '#period': 'period',
        '#dimension': 'dimension',
        '#bucket': 'bucket',
        '#group': 'group',
        '#scans': 'scans',
        '#files': 'files',
        '#bytes': 'bytes',
        '#commits': 'commits',
        '#duration': 'duration_ms',
        '#cost': 'cost_micros',
      },
      ExpressionAttributeValues: {
        ':period': period,
        ':dimension': dimension,
        ':bucket': bucket,
        ':group': group,
        ':one': 1,
        ':files': line.files,
        ':bytes': line.bytes,
        ':commits': line.commits,
        ':duration': line.duration_ms,
        ':cost': line.cost_micros,
      },
    },
  }
}

export type MeterOutcome = 'metered' | 'already_metered'

/**
 * Writes the line (only if the scan has none) and adds it to its six aggregates, all or nothing; the
 * scan record gets its cost in the same transaction when `scanCost` is given. Concurrent scans of one
 * workspace touch the same aggregates: DynamoDB cancels one transaction with TransactionConflict, and
 * it is sent again after a short random wait.
 */
export async function meter(
  line: UsageLineRecord,
  scanCost?: { amount: number; currency: string },
): Promise<MeterOutcome> {
  const items = [
    {
      Put: {
        TableName: tableName(),
        Item: { ...keys.usageLine(line.workspace_id, line.scan_id, line.at), ...line },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    ...(['D', 'M'] as const).flatMap((period) =>
      groupsOf(line).map(([dimension, group]) => addTo(line, period, dimension, group)),
    ),
    ...(scanCost
      ? [
          {
            Update: {
              TableName: tableName(),
              Key: keys.scanById(line.scan_id),
              UpdateExpression: 'SET #cost = :cost',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeNames: { '#cost': 'cost' },
              ExpressionAttributeValues: { ':cost': scanCost },
            },
          },
        ]
      : []),
  ]
  for (let attempt = 1; ; attempt++) {
    try {
      await documents().send(new (commands().TransactWriteCommand)({ TransactItems: items }))
      return 'metered'
    } catch (error) {
      const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons
      if (!reasons) throw error
      if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'already_metered'
      // The scan was deleted meanwhile (its repository went): the usage still counts, without it.
      if (scanCost && reasons.at(-1)?.Code === 'ConditionalCheckFailed') return meter(line)
      if (!reasons.some((reason) => reason.Code === 'TransactionConflict') || attempt >= 8) throw error
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 25 * 2 ** attempt))
    }
  }
}

/** A workspace's line items between two instants (ISO, `to` exclusive), newest first, a page at a time. */
export async function listUsageLines(
  workspace: WorkspaceId,
  range: { from: string; to: string },
  page: PageRequest,
  filter: { project_id?: ProjectId; repository_id?: RepositoryId } = {},
): Promise<Page<UsageLineRecord>> {
  const conditions = Object.entries(filter).filter(([, value]) => value !== undefined)
  const { Items = [], LastEvaluatedKey } = await documents().send(
    new (commands().QueryCommand)({
      TableName: tableName(),
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to',
      FilterExpression: conditions.length ? conditions.map(([name]) => `${name} = :${name}`).join(' AND ') : undefined,
      ExpressionAttributeValues: {
        ':pk': keys.usageLinesOf(workspace).gsi2pk,
        ':from': range.from,
        // Sort keys are `<at>#<scan id>`: anything at or after `to` sorts past this bound.
        ':to': range.to,
        ...Object.fromEntries(conditions.map(([name, value]) => [`:${name}`, value])),
      },
      ScanIndexForward: false,
      Limit: page.limit,
      ExclusiveStartKey: page.startKey,
    }),
  )
  return { items: Items.map((item) => recordOf(usageLineRecord, item)), lastKey: LastEvaluatedKey }
}

/** Every aggregate of one period and dimension whose bucket lies in [first, last] (all pages). */
export async function listAggregates(
  workspace: WorkspaceId,
  period: Period,
  dimension: Dimension,
  first: string,
  last: string,
): Promise<AggregateRecord[]> {
  const range = keys.usageAggregateRange(workspace, period, dimension, first, last)
  return (await queryRange(range)).map((item) => recordOf(aggregateRecord, item))
}
