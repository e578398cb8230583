// GET /v1/billing/summary and /v1/billing/usage. The summary reads aggregates only (whole months from
// the monthly ones, the days of partial months from the daily ones), so it costs O(groups × buckets)
// whatever the number of scans; it answers JSON or CSV, with an ETag dashboards poll against.
import { stringify } from 'csv-stringify/sync'
import { config } from '../config.js'
import type { PageRequest } from '../data/db.js'
import { getProject } from '../data/projects.js'
import { getRepository } from '../data/repositories.js'
import { type AggregateRecord, type Dimension, listAggregates, listUsageLines, summed } from '../data/usage.js'
import { validationFailed } from '../http/errors.js'
import { etagOf, heldBy, Reply, wantsCsv } from '../http/reply.js'
import type { ProjectId, RepositoryId, WorkspaceId } from '../ids.js'
import { amountOf, currency, money, pricesIn } from './prices.js'

export type GroupBy = 'day' | 'project' | 'repository'
export interface Period {
  from: string
  to: string
}

/** The longest period one summary covers. */
export const maxPeriodDays = 366
const dayMs = 24 * 3600 * 1000
const addDays = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * dayMs).toISOString().slice(0, 10)
const lastDayOfMonth = (month: string) => addDays(`${addMonths(month, 1)}-01`, -1)
function addMonths(month: string, months: number) {
  const [year, m] = month.split('-').map(Number) as [number, number]
  const date = new Date(Date.UTC(year, m - 1 + months, 1))
  return date.toISOString().slice(0, 7)
}

/** The period asked for: by default this UTC month up to today; `to` before `from` or too long is a 422. */
export function periodOf(query: { from?: string; to?: string }, now = Date.now()): Period {
  const today = new Date(now).toISOString().slice(0, 10)
  const to = query.to ?? today
  const from = query.from ?? `${to.slice(0, 7)}-01`
  if (from > to) throw validationFailed([{ path: 'query.from', message: 'must be on or before to' }])
  if ((Date.parse(to) - Date.parse(from)) / dayMs + 1 > maxPeriodDays)
    throw validationFailed([{ path: 'query.to', message: `a period covers at most ${maxPeriodDays} days` }])
  return { from, to }
}

type Totals = Record<(typeof summed)[number], number>
const zero = (): Totals => ({ scans: 0, files: 0, bytes: 0, commits: 0, duration_ms: 0, cost_micros: 0 })
function add(into: Totals, item: AggregateRecord) {
  for (const name of summed) into[name] += Number(item[name] ?? 0)
}

/** The aggregates covering the period: month items for whole months, day items for the rest. */
async function aggregatesIn(workspace: WorkspaceId, dimension: Dimension, period: Period, daily: boolean) {
  const wholeMonths: string[] = []
  const dayRanges: [string, string][] = []
  if (daily) dayRanges.push([period.from, period.to])
  else {
    for (let month = period.from.slice(0, 7); month <= period.to.slice(0, 7); month = addMonths(month, 1)) {
      const first = month === period.from.slice(0, 7) ? period.from : `${month}-01`
      const last = month === period.to.slice(0, 7) ? period.to : lastDayOfMonth(month)
      if (first === `${month}-01` && last === lastDayOfMonth(month)) wholeMonths.push(month)
      else dayRanges.push([first, last])
    }
  }
  const reads = [
    ...(wholeMonths.length ? [listAggregates(workspace, 'M', dimension, wholeMonths[0]!, wholeMonths.at(-1)!)] : []),
    ...dayRanges.map(([first, last]) => listAggregates(workspace, 'D', dimension, first, last)),
  ]
  return (await Promise.all(reads)).flat()
}

const figures = (totals: Totals) => ({
  scans: totals.scans,
  files: totals.files,
  bytes: totals.bytes,
  commits: totals.commits,
  duration_ms: totals.duration_ms,
  cost: amountOf(totals.cost_micros),
})

export async function summarize(workspace: WorkspaceId, period: Period, groupBy?: GroupBy) {
  const dimension: Dimension = groupBy === 'project' ? 'PRJ' : groupBy === 'repository' ? 'REPO' : 'WS'
  const items = await aggregatesIn(workspace, dimension, period, groupBy === 'day')
  const totals = zero()
  const byGroup = new Map<string, Totals>()
  if (groupBy === 'day') for (let day = period.from; day <= period.to; day = addDays(day, 1)) byGroup.set(day, zero())
  for (const item of items) {
    add(totals, item)
    if (!groupBy) continue
    const key = groupBy === 'day' ? item.bucket : item.group
    const group = byGroup.get(key) ?? zero()
    add(group, item)
    byGroup.set(key, group)
  }
  const keys = [...byGroup.keys()].sort((a, b) => a.localeCompare(b))
  const names = await namesOf(groupBy, keys)
  return {
    workspace_id: workspace,
    from: period.from,
    to: period.to,
    group_by: groupBy ?? null,
    currency: currency(),
    prices: pricesIn(period.from, period.to),
    totals: figures(totals),
    groups: keys.map((key, index) => ({ key, name: names[index] ?? null, ...figures(byGroup.get(key)!) })),
  }
}

/** A project's or repository's current name, so a dashboard needs no second call; null once deleted (or for days). */
async function namesOf(groupBy: GroupBy | undefined, keys: string[]): Promise<(string | null)[]> {
  if (groupBy === 'project')
    return Promise.all(keys.map(async (id) => (await getProject(id as ProjectId))?.name ?? null))
  if (groupBy === 'repository')
    return Promise.all(keys.map(async (id) => (await getRepository(id as RepositoryId))?.name ?? null))
  return keys.map(() => null)
}
export type Summary = Awaited<ReturnType<typeof summarize>>

const csvColumns = ['scans', 'files', 'bytes', 'commits', 'duration_ms', 'cost'] as const

/**
 * The summary as CSV, written by csv-stringify (RFC 4180: a field with a comma, a quote or a line break
 * is quoted): a header row, then one data row per group and nothing else. Without `group_by` the one
 * row is the period (`from/to`). The totals are not a data row: they travel in `Vega-Totals`.
 */
export function summaryCsv(summary: Summary): string {
  const groups = summary.group_by
    ? summary.groups
    : [{ key: `${summary.from}/${summary.to}`, name: null, ...summary.totals }]
  return stringify(
    groups.map((group) => [
      group.key,
      group.name ?? '',
      ...csvColumns.map((column) => group[column]),
      summary.currency,
    ]),
    {
      header: true,
      columns: [summary.group_by ?? 'period', 'name', ...csvColumns, 'currency'],
      record_delimiter: '\r\n',
    },
  )
}

/** The totals as an RFC 8941 dictionary, for the CSV answer: `scans=42, …, cost="0.1386", currency="USD"`. */
export function totalsHeader(summary: Summary): string {
  const { cost, ...counts } = summary.totals
  return [
    ...Object.entries(counts).map(([name, value]) => `${name}=${value}`),
    `cost="${cost}"`,
    `currency="${summary.currency}"`,
  ].join(', ')
}

export { wantsCsv }

/**
 * The answer with validators: an ETag over exactly what is sent, `Cache-Control: private` (a summary
 * belongs to one tenant) and 304 when the client already holds it. CSV on `Accept: text/csv` or
 * `?format=csv` (the query wins: a link in a browser cannot set Accept).
 */
export function summaryReply(summary: Summary, headers: Record<string, string>, format?: 'json' | 'csv'): Reply {
  const csv = wantsCsv(headers, format)
  const body = csv ? summaryCsv(summary) : JSON.stringify(summary)
  const etag = etagOf(body)
  const caching = {
    etag,
    'cache-control': `private, max-age=${config().BILLING_MAX_AGE_S}`,
    vary: 'Accept, Authorization, private-token',
  }
  if (heldBy(headers['if-none-match'], etag)) return new Reply(304, undefined, caching)
  return csv
    ? Reply.text(body, 'text/csv; charset=utf-8', {
        ...caching,
        'vega-totals': totalsHeader(summary),
        'content-disposition': `attachment; filename="vega-billing-${summary.from}-${summary.to}.csv"`,
      })
    : Reply.json(summary, 200, caching)
}

export async function usageLines(
  workspace: WorkspaceId,
  period: Period,
  page: PageRequest,
  filter: { project_id?: ProjectId; repository_id?: RepositoryId },
) {
  const lines = await listUsageLines(
    workspace,
    { from: `${period.from}T00:00:00.000Z`, to: `${addDays(period.to, 1)}T00:00:00.000Z` },
    page,
    filter,
  )
  return {
    items: lines.items.map((line) => ({
      scan_id: line.scan_id,
      workspace_id: line.workspace_id,
      project_id: line.project_id,
      repository_id: line.repository_id,
      engines: line.engines,
      files: line.files,
      bytes: line.bytes,
      commits: line.commits,
      duration_ms: line.duration_ms,
      memory_mb: line.memory_mb,
      cost: money(line.cost_micros),
      price_effective_from: line.price_effective_from,
      created_at: line.at,
      at: line.at,
    })),
    lastKey: lines.lastKey,
  }
}

type UsageLineAnswer = Awaited<ReturnType<typeof usageLines>>['items'][number]

/**
 * One page of usage lines as CSV (the same page, cursor and Link as the JSON): one row per line, the
 * engines space-separated, the cost as an amount and its currency.
 */
export function usageCsvReply(lines: UsageLineAnswer[]): Reply {
  const columns = [
    'created_at',
    'scan_id',
    'project_id',
    'repository_id',
    'engines',
    'files',
    'bytes',
    'commits',
    'duration_ms',
    'memory_mb',
    'cost',
    'currency',
    'price_effective_from',
  ]
  const rows = lines.map((line) => [
    line.created_at,
    line.scan_id,
    line.project_id,
    line.repository_id,
    line.engines.join(' '),
    line.files,
    line.bytes,
    line.commits,
    line.duration_ms,
    line.memory_mb,
    line.cost.amount,
    line.cost.currency,
    line.price_effective_from,
  ])
  const body = stringify(rows, { header: true, columns, record_delimiter: '\r\n' })
  return Reply.text(body, 'text/csv; charset=utf-8', { vary: 'Accept' })
}
