// Findings and their occurrences. A finding is one item per (repository, fingerprint) whose status moves
// only through conditional transitions, each in one transaction with the repository's open counters and
// the workspace's daily overview counters: a scan replayed any number of times moves each counter once.
// A finding is listed per repository (gsi1), per workspace in the order first seen (gsi2), and while it
// is open and critical among its workspace's open criticals (gsi3).
import { createHash } from 'node:crypto'
import type { NativeAttributeValue } from '@aws-sdk/lib-dynamodb'
import { documents } from '../aws/clients.js'
import { EventId, FindingId, newId, ProjectId, RepositoryId, ScanId, WorkspaceId } from '../ids.js'
import {
  engineNames,
  type FindingContext,
  type FindingLocation,
  type FlowStep,
  findingContexts,
  type Severity,
  severities,
} from '../scanning/engine.js'
import * as z from '../zod.js'
import {
  commands,
  deleteKeys,
  getItems,
  getRecord,
  type Page,
  type PageRequest,
  queryByPrefix,
  queryRecords,
  recordOf,
  runsWithin,
  type StartKey,
  type StoredItem,
  tableName,
  transact,
  transactEach,
  under,
  updateIf,
} from './db.js'
import { eventActor } from './events.js'
import * as keys from './keys.js'
import { addToDay, type DayFigure, type DayFigures } from './overview.js'
import { getRepository } from './repositories.js'

export const findingStatuses = ['open', 'fixed', 'dismissed'] as const
export type FindingStatus = (typeof findingStatuses)[number]

export const findingLocation = z.object({
  path: z.string(),
  start_line: z.number().check(z.int()),
  end_line: z.number().check(z.int()),
  commit: z.optional(z.string()),
  snippet: z.string(),
}) satisfies z.core.$ZodType<FindingLocation>
export const flowStep = z.object({
  path: z.string(),
  line: z.number().check(z.int()),
  snippet: z.string(),
  /** What happens here: the source, each assignment or call it passes, the sink. */
  note: z.string(),
}) satisfies z.core.$ZodType<FlowStep>

/** What a scan says about a finding: the latest view, refreshed by every newer scan that sees it. */
const findingView = z.object({
  title: z.string(),
  message: z.string(),
  path: z.string(),
  start_line: z.number().check(z.int()),
  end_line: z.number().check(z.int()),
  snippet: z.string(),
  locations: z.array(findingLocation),
  /** Test, example, docs, vendored or build material; null (or absent, on older items) for product code. */
  context: z.nullish(z.enum(findingContexts)),
  /** A data-flow finding's steps, source first and sink last; null (or absent) for the others. */
  flow: z.nullish(z.array(flowStep)),
  metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
})
export type FindingView = z.infer<typeof findingView>

/** The reasons a user gives; `suppressed` is Vega's own, for a finding a suppression rule dismissed. */
export const userDismissReasons = ['false_positive', 'wont_fix', 'used_in_tests'] as const
export const dismissReasons = [...userDismissReasons, 'suppressed'] as const
export type DismissReason = (typeof dismissReasons)[number]

export const findingRecord = z.extend(findingView, {
  id: FindingId,
  repository_id: RepositoryId,
  engine: z.union([z.enum(engineNames), z.templateLiteral(['sarif:', z.string()])]),
  rule_id: z.string(),
  /** Fixed at creation: the open counters are kept per severity. */
  severity: z.enum(severities),
  cwe: z.array(z.string()),
  fix: z.string(),
  fingerprint: z.string(),
  fingerprint_version: z.number().check(z.int()),
  /** Rule and matched context without the path: how a renamed file's finding is recognised. */
  context_key: z.optional(z.string()),
  status: z.enum(findingStatuses),
  first_seen_scan_id: ScanId,
  last_seen_scan_id: ScanId,
  created_at: z.string(),
  updated_at: z.string(),
  dismissed_reason: z.optional(z.enum(dismissReasons)),
  dismissed_comment: z.optional(z.string()),
  dismissed_by: z.optional(z.string()),
  dismissed_via: z.nullish(z.string()),
  dismissed_at: z.optional(z.string()),
  /** A dismissal request waiting for an admin (critical findings). */
  pending_dismissal: z.optional(z.object({ id: z.string(), expires_at: z.string() })),
  /** Where the repository lives; absent on findings stored before the security overview, until a scan sees them. */
  workspace_id: z.optional(WorkspaceId),
  project_id: z.optional(ProjectId),
  /** When it last became open (created, or reopened after a fix): what its time to fix counts from. */
  opened_at: z.optional(z.string()),
  /**
   * A digest of what the latest sighting wrote (the view and the finding's place in its workspace's list),
   * so a scan that sees the finding exactly so writes only its scan and time (`writeSightings`). Absent on
   * findings written before it: their next sighting writes everything, as before.
   */
  view_digest: z.optional(z.string()),
})
export type FindingRecord = z.infer<typeof findingRecord>
/** The workspace and project of a finding's repository. */
export interface FindingHome {
  workspace_id: WorkspaceId
  project_id: ProjectId
}
/** The scan a transition happens in: its id orders sightings, its workspace holds the day's counters. */
export type TransitionScan = { id: ScanId } & FindingHome

/** Where one scan saw a finding. */
export const occurrenceRecord = z.object({
  finding_id: FindingId,
  scan_id: ScanId,
  repository_id: RepositoryId,
  locations: z.array(findingLocation),
  snippet: z.string(),
})
export type OccurrenceRecord = z.infer<typeof occurrenceRecord>

/** The repository's open counters that move with transitions, by severity, in the same transaction. */
const openCounters = (repository: RepositoryId, moved: readonly (readonly [Severity, number])[]) => ({
  Update: {
    TableName: tableName(),
    Key: keys.repositoryById(repository),
    UpdateExpression: `ADD ${moved.map(([severity], index) => `open_${severity} :d${index}`).join(', ')}`,
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: Object.fromEntries(moved.map(([, count], index) => [`:d${index}`, count])),
  },
})

/** The repository counter that moves with one finding's transition. */
const openCounter = (repository: RepositoryId, severity: Severity, delta: 1 | -1) =>
  openCounters(repository, [[severity, delta]])

/** What one finding's transition adds to the counters: to its repository's open ones, and to a day's. */
interface CounterMove {
  finding: FindingRecord
  open: 1 | -1
  workspace: WorkspaceId
  day: Partial<DayFigures>
  at: string
}

/**
 * The counter items a group of transitions moves, each once with the sums: the repository's open counters
 * by severity, and each day-and-shard item of the workspace's days as addToDay places every finding. One
 * transaction cannot name an item twice.
 */
function countersOf(moves: CounterMove[]) {
  const [first] = moves
  if (!first) return []
  const repository = first.finding.repository_id
  if (moves.some((move) => move.finding.repository_id !== repository))
    throw new Error("a group of transitions moves one repository's counters")
  const bySeverity = new Map<Severity, number>()
  const days = new Map<string, { move: CounterMove; figures: Partial<DayFigures> }>()
  for (const move of moves) {
    bySeverity.set(move.finding.severity, (bySeverity.get(move.finding.severity) ?? 0) + move.open)
    const { sk } = addToDay(move.workspace, move.finding.id, {}, move.at).Update.Key
    const figures = days.get(sk)?.figures ?? {}
    for (const [name, value] of Object.entries(move.day) as [DayFigure, number][])
      figures[name] = (figures[name] ?? 0) + value
    if (!days.has(sk)) days.set(sk, { move, figures })
  }
  const moved = [...bySeverity].filter(([, count]) => count !== 0)
  return [
    ...(moved.length ? [openCounters(repository, moved)] : []),
    ...[...days.values()].map(({ move, figures }) => addToDay(move.workspace, move.finding.id, figures, move.at)),
  ]
}

/**
 * Transitions of many findings in as few transactions as fit (`transitionsOf` makes a group's items); a
 * transaction refused because one of its conditions failed is redone a finding at a time, so each finding
 * moves exactly when its own condition holds. Answers the findings that moved.
 */
async function inGroups<F extends FindingRecord>(
  findings: F[],
  transitionsOf: (group: F[]) => Parameters<typeof transact>[0],
): Promise<Set<F>> {
  const moved = new Set<F>()
  for (const group of runsWithin(findings, findingsPerTransaction)) {
    if (await transition(transitionsOf(group))) for (const finding of group) moved.add(finding)
    else for (const finding of group) if (await transition(transitionsOf([finding]))) moved.add(finding)
  }
  return moved
}

/** Findings one transaction moves at most: with their counters (at most 17 items) inside DynamoDB's 100. */
const findingsPerTransaction = 50

class NoTransition extends Error {}

/** Runs a conditional transition; false when its condition did not hold (it already happened, or need not). */
async function transition(items: Parameters<typeof transact>[0]): Promise<boolean> {
  try {
    await transact(items, () => new NoTransition())
    return true
  } catch (error) {
    if (error instanceof NoTransition) return false
    throw error
  }
}

/** The attributes that place a finding in its workspace's list (they never change). */
const placed = (finding: FindingRecord, home: FindingHome) => ({
  workspace_id: home.workspace_id,
  project_id: home.project_id,
  ...keys.findingInWorkspace(home.workspace_id, finding.created_at, finding.id),
})

/** SET clauses for attributes, named `#a<i>` and valued `:a<i>`, merged into an update's names and values. */
function setClauses(
  attributes: Record<string, NativeAttributeValue>,
  names: Record<string, string>,
  values: Record<string, NativeAttributeValue>,
): string[] {
  return Object.entries(attributes).map(([name, value], index) => {
    names[`#a${index}`] = name
    values[`:a${index}`] = value
    return `#a${index} = :a${index}`
  })
}

/** A finding seen for the first time: created open and counted once (or created dismissed by a suppression). */
export const createFinding = async (finding: FindingRecord & FindingHome): Promise<boolean> =>
  transition(creationOf([finding]))

/**
 * New findings created together, 50 to a transaction with the counters added up once (a first scan records
 * hundreds), each as `createFinding` creates it. Answers the ones created: the others existed already
 * (another worker created them, or this scan did before its worker died).
 */
export const createNewFindings = (findings: (FindingRecord & FindingHome)[]) => inGroups(findings, creationOf)

function creationOf(findings: (FindingRecord & FindingHome)[]) {
  const open = (finding: FindingRecord) => finding.status === 'open'
  return [
    ...findings.map((finding) => ({
      Put: {
        TableName: tableName(),
        Item: {
          ...finding,
          view_digest: viewDigest(finding, finding),
          ...(open(finding) ? { opened_at: finding.created_at } : {}),
          ...keys.finding(finding.repository_id, finding.id),
          ...placed(finding, finding),
          ...(open(finding) && finding.severity === 'critical'
            ? keys.openCritical(finding.workspace_id, finding.created_at, finding.id)
            : {}),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    })),
    ...countersOf(
      findings.filter(open).map((finding) => ({
        finding,
        open: 1 as const,
        workspace: finding.workspace_id,
        day: { new_findings: 1 },
        at: finding.created_at,
      })),
    ),
  ]
}

const viewUpdate =
  'title = :title, message = :message, #path = :path, start_line = :start, end_line = :end, snippet = :snippet, locations = :locations, #context = :context, #flow = :flow, metadata = :metadata'
const viewNames = { '#path': 'path', '#context': 'context', '#flow': 'flow' }
const viewValues = (view: FindingView) => ({
  ':context': view.context ?? null,
  ':flow': view.flow ?? null,
  ':title': view.title,
  ':message': view.message,
  ':path': view.path,
  ':start': view.start_line,
  ':end': view.end_line,
  ':snippet': view.snippet,
  ':locations': view.locations,
  ':metadata': view.metadata,
})

/**
 * What a sighting writes, as a digest: the view's values as they are sent (`viewValues`) and the finding's
 * workspace and project (its placement in the workspace's list follows from them, its id and creation time).
 * Two sightings with one digest write the same attributes, so the later one need not send them again.
 */
const viewDigest = (view: FindingView, home: FindingHome) =>
  createHash('sha256')
    .update(JSON.stringify([viewValues(view), home.workspace_id, home.project_id]))
    .digest('base64url')

/** What a finding that becomes open again sets: its placement, and its place among open criticals. */
const reopened = (finding: FindingRecord, home: FindingHome) => ({
  ...placed(finding, home),
  ...(finding.severity === 'critical' ? keys.openCritical(home.workspace_id, finding.created_at, finding.id) : {}),
})

/** A fixed finding seen again by a newer scan: open again, counted once. */
export function reopenFinding(finding: FindingRecord, scan: TransitionScan, view: FindingView): Promise<boolean> {
  const now = new Date().toISOString()
  const names: Record<string, string> = { '#status': 'status', ...viewNames }
  const values: Record<string, NativeAttributeValue> = {
    ':open': 'open',
    ':fixed': 'fixed',
    ':scan': scan.id,
    ':now': now,
    ':digest': viewDigest(view, scan),
    ...viewValues(view),
  }
  const placement = setClauses(reopened(finding, scan), names, values)
  return transition([
    {
      Update: {
        TableName: tableName(),
        Key: keys.findingById(finding.id),
        UpdateExpression: `SET #status = :open, last_seen_scan_id = :scan, updated_at = :now, opened_at = :now, view_digest = :digest, ${viewUpdate}, ${placement.join(', ')}`,
        ConditionExpression: '#status = :fixed AND last_seen_scan_id < :scan',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
    openCounter(finding.repository_id, finding.severity, 1),
    addToDay(scan.workspace_id, finding.id, { reopened_findings: 1 }, now),
  ])
}

/** A finding a newer scan saw again, and how it sees it now. */
export interface Sighting {
  finding: FindingRecord
  view: FindingView
}

/**
 * What a scan writes for findings it saw that need no transition: where it saw each (its occurrence) and,
 * for those `touched`, the sighting itself: the view and last_seen move, the status stays (a created or
 * reopened finding was written whole by its transition). A touch also writes the finding's placement in its
 * workspace's list (the same values every time), so a finding stored before the overview joins the list
 * when a scan next sees it. Every item names its own key, so they go 100 to a transaction (`transactEach`),
 * each still applied only while its own condition holds: an occurrence always (the same scan writing it
 * again, a replay, overwrites it with itself), a touch only for a scan newer than the finding's last.
 *
 * A finding seen exactly as its latest sighting wrote it (the same `view_digest`) is touched with its scan
 * and time alone, on the condition that the item still holds that digest; where the digest moved meanwhile
 * the touch is sent again whole, so every item ends as the whole touch would have left it. On the 100 MB
 * benchmark's re-push that is 394 of 395 touches, each without its view (up to 100 locations and snippets).
 */
export async function writeSightings(
  occurrences: OccurrenceRecord[],
  touched: Sighting[],
  scan: TransitionScan,
): Promise<void> {
  const now = new Date().toISOString()
  const digests = touched.map(({ view }) => viewDigest(view, scan))
  const wholeTouch = ({ finding, view }: Sighting, digest: string) => {
    const names: Record<string, string> = { ...viewNames }
    const values: Record<string, NativeAttributeValue> = {
      ':scan': scan.id,
      ':now': now,
      ':digest': digest,
      ...viewValues(view),
    }
    const placement = setClauses(placed(finding, scan), names, values)
    return {
      Update: {
        TableName: tableName(),
        Key: keys.findingById(finding.id),
        UpdateExpression: `SET last_seen_scan_id = :scan, updated_at = :now, view_digest = :digest, ${viewUpdate}, ${placement.join(', ')}`,
        // An older scan finishing late, or a replay, fails the condition: the newer view stays.
        ConditionExpression: 'attribute_exists(pk) AND last_seen_scan_id < :scan',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    }
  }
  const sameTouch = ({ finding }: Sighting, digest: string) => ({
    Update: {
      TableName: tableName(),
      Key: keys.findingById(finding.id),
      UpdateExpression: 'SET last_seen_scan_id = :scan, updated_at = :now',
      // The digest names the workspace and project; the list's keys follow from them.
      ConditionExpression:
        'attribute_exists(pk) AND last_seen_scan_id < :scan AND view_digest = :digest AND attribute_exists(gsi2pk)',
      ExpressionAttributeValues: { ':scan': scan.id, ':now': now, ':digest': digest },
    },
  })
  const same = touched.map(
    ({ finding }, at) =>
      finding.view_digest === digests[at] &&
      finding.workspace_id === scan.workspace_id &&
      finding.project_id === scan.project_id,
  )
  const touches = touched.map((sighting, at) =>
    same[at] ? sameTouch(sighting, digests[at]!) : wholeTouch(sighting, digests[at]!),
  )
  const puts = occurrences.map((occurrence) => ({
    Put: {
      TableName: tableName(),
      Item: { ...occurrence, ...keys.occurrence(occurrence.finding_id, occurrence.scan_id) },
    },
  }))
  const failed = await transactEach([...puts, ...touches])
  // A short touch whose condition failed: the finding moved on (a newer scan's touch, which the whole one
  // fails too) or its digest did (a late older scan's view, which the whole one replaces, as before).
  const again = failed.map((at) => at - puts.length).filter((at) => at >= 0 && same[at])
  if (again.length > 0) await transactEach(again.map((at) => wholeTouch(touched[at]!, digests[at]!)))
  // A critical finding stored before the overview (no workspace yet) joins the open criticals once, if it
  // is open at that instant: the condition is checked with the write, so a dismissal or fix racing this
  // one either comes after (and removes it) or before (and this writes nothing).
  for (const { finding } of touched)
    if (!finding.workspace_id && finding.severity === 'critical')
      await updateIf({
        Key: keys.findingById(finding.id),
        UpdateExpression: 'SET gsi3pk = :pk, gsi3sk = :sk',
        ConditionExpression: '#status = :open',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':open': 'open',
          ...(({ gsi3pk, gsi3sk }) => ({ ':pk': gsi3pk, ':sk': gsi3sk }))(
            keys.openCritical(scan.workspace_id, finding.created_at, finding.id),
          ),
        },
      })
}

/** How long a finding was open when it is fixed now, in whole seconds. */
const openSeconds = (finding: FindingRecord, now: string) =>
  Math.max(0, Math.round((Date.parse(now) - Date.parse(finding.opened_at ?? finding.created_at)) / 1000))

/**
 * Open findings a newer complete scan did not see: fixed, each counted once with the time it was open,
 * and only while it is open and no scan as new saw it. Answers the ones fixed.
 */
export const fixFindings = (findings: FindingRecord[], scan: TransitionScan) =>
  inGroups(findings, (group) => fixingOf(group, scan))

function fixingOf(findings: FindingRecord[], scan: TransitionScan) {
  const now = new Date().toISOString()
  return [
    ...findings.map((finding) => ({
      Update: {
        TableName: tableName(),
        Key: keys.findingById(finding.id),
        UpdateExpression: 'SET #status = :fixed, fixed_by_scan_id = :scan, updated_at = :now REMOVE gsi3pk, gsi3sk',
        ConditionExpression: '#status = :open AND last_seen_scan_id < :scan',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':open': 'open', ':fixed': 'fixed', ':scan': scan.id, ':now': now },
      },
    })),
    ...countersOf(
      findings.map((finding) => ({
        finding,
        open: -1 as const,
        workspace: scan.workspace_id,
        day: { fixed_findings: 1, fix_seconds: openSeconds(finding, now) },
        at: now,
      })),
    ),
  ]
}

export async function getFinding(id: FindingId): Promise<FindingRecord | undefined> {
  return getRecord(findingRecord, keys.findingById(id), { consistent: true })
}

/** Many findings by id, in the order asked (missing ones left out). */
export async function getFindings(ids: FindingId[]): Promise<FindingRecord[]> {
  const found = new Map(
    (await getItems(ids.map((id) => keys.findingById(id)))).map((item) => {
      const finding = recordOf(findingRecord, item)
      return [finding.id, finding]
    }),
  )
  return ids.map((id) => found.get(id)).filter((finding) => finding !== undefined)
}

export function listFindingsOf(
  repository: RepositoryId,
  page: PageRequest,
  status?: FindingStatus,
): Promise<Page<FindingRecord>> {
  return queryRecords(findingRecord, { ...under(keys.findingsOf(repository)), page, status })
}

export function listOccurrences(finding: FindingId, page: PageRequest): Promise<Page<OccurrenceRecord>> {
  return queryRecords(occurrenceRecord, { ...under(keys.occurrencesOf(finding)), page, newestFirst: true })
}

export interface FindingFilters {
  status?: FindingStatus
  severity?: Severity
  engine?: string
  rule?: string
  /** Keeps findings whose primary path starts with this. */
  pathPrefix?: string
  /** Keeps findings in any of these contexts; `none` is the product's own code (no context). */
  context?: (FindingContext | 'none')[]
  /** Keeps findings first seen at or after this instant (ISO 8601 UTC). */
  newSince?: string
}

/** The filter expression of a context list; `none` matches items with no context (null or absent). */
export function contextCondition(
  contexts: readonly (FindingContext | 'none')[],
  names: Record<string, string>,
  values: Record<string, unknown>,
): string {
  names['#context'] = 'context'
  const tests: string[] = []
  for (const [index, context] of contexts.entries()) {
    if (context === 'none') {
      values[':contextNull'] = 'NULL'
      tests.push('attribute_not_exists(#context)', 'attribute_type(#context, :contextNull)')
    } else {
      values[`:context${index}`] = context
      tests.push(`#context = :context${index}`)
    }
  }
  return `(${tests.join(' OR ')})`
}

/**
 * The filter expression of a findings query (its names and values merged into the query's), or undefined
 * when nothing is filtered. `keyed` names the filters the query's key range or index already applies.
 */
function findingConditions(
  filters: FindingFilters & { project?: ProjectId },
  names: Record<string, string>,
  values: Record<string, unknown>,
  keyed: { newSince?: boolean; openCritical?: boolean } = {},
): string | undefined {
  const conditions: string[] = []
  const add = (field: string, value: string | undefined, test: (name: string, value: string) => string) => {
    if (value === undefined) return
    names[`#${field}`] = field
    values[`:${field}`] = value
    conditions.push(test(`#${field}`, `:${field}`))
  }
  if (!keyed.openCritical) {
    add('status', filters.status, (name, value) => `${name} = ${value}`)
    add('severity', filters.severity, (name, value) => `${name} = ${value}`)
  }
  add('engine', filters.engine, (name, value) => `${name} = ${value}`)
  add('rule_id', filters.rule, (name, value) => `${name} = ${value}`)
  add('path', filters.pathPrefix, (name, value) => `begins_with(${name}, ${value})`)
  add('project_id', filters.project, (name, value) => `${name} = ${value}`)
  if (!keyed.newSince) add('created_at', filters.newSince, (name, value) => `${name} >= ${value}`)
  if (filters.context?.length) conditions.push(contextCondition(filters.context, names, values))
  return conditions.length ? conditions.join(' AND ') : undefined
}

/** A repository's findings with filters applied by DynamoDB (pages may come back shorter than the limit). */
export async function queryFindings(
  repository: RepositoryId,
  page: PageRequest,
  filters: FindingFilters,
): Promise<Page<FindingRecord>> {
  const { gsi1pk, gsi1skPrefix } = keys.findingsOf(repository)
  const names: Record<string, string> = { '#pk': 'gsi1pk', '#sk': 'gsi1sk' }
  const values: Record<string, unknown> = { ':pk': gsi1pk, ':prefix': gsi1skPrefix }
  const filter = findingConditions(filters, names, values)
  const { Items = [], LastEvaluatedKey } = await documents().send(
    new (commands().QueryCommand)({
      TableName: tableName(),
      IndexName: 'gsi1',
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      FilterExpression: filter,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      Limit: page.limit,
      ExclusiveStartKey: page.startKey,
    }),
  )
  return { items: Items.map((item) => recordOf(findingRecord, item)), lastKey: LastEvaluatedKey }
}

export interface WorkspaceFindingFilters extends FindingFilters {
  project?: ProjectId
  repository?: RepositoryId
}

/** How many items one request of a filtered workspace list evaluates at most, to fill its page. */
const filteredReadBudget = 1000

/**
 * A workspace's findings, without scanning: with `repository`, that repository's list (gsi1, its order);
 * open criticals from their sparse index (gsi3); anything else from the workspace's list (gsi2), in the
 * order first seen. `newSince` is a key range on gsi2 and gsi3. Filtered pages are filled: up to
 * `filteredReadBudget` items are read to find `limit` matches, and the next page starts after the last
 * item answered.
 */
export async function queryWorkspaceFindings(
  workspace: WorkspaceId,
  page: PageRequest,
  filters: WorkspaceFindingFilters,
): Promise<Page<FindingRecord>> {
  const names: Record<string, string> = {}
  const values: Record<string, unknown> = {}
  let index: 'gsi1' | 'gsi2' | 'gsi3'
  let keyCondition: string
  if (filters.repository) {
    const family = keys.findingsOf(filters.repository)
    index = 'gsi1'
    Object.assign(names, { '#pk': 'gsi1pk', '#sk': 'gsi1sk' })
    Object.assign(values, { ':pk': family.gsi1pk, ':prefix': family.gsi1skPrefix })
    keyCondition = '#pk = :pk AND begins_with(#sk, :prefix)'
  } else {
    const openCriticals = filters.status === 'open' && filters.severity === 'critical'
    const family = openCriticals
      ? (({ gsi3pk, gsi3skPrefix, gsi3skFrom }) => ({ pk: gsi3pk, prefix: gsi3skPrefix, from: gsi3skFrom }))(
          keys.openCriticalsOf(workspace, filters.newSince),
        )
      : (({ gsi2pk, gsi2skPrefix, gsi2skFrom }) => ({ pk: gsi2pk, prefix: gsi2skPrefix, from: gsi2skFrom }))(
          keys.findingsOfWorkspace(workspace, filters.newSince),
        )
    index = openCriticals ? 'gsi3' : 'gsi2'
    Object.assign(names, { '#pk': `${index}pk`, '#sk': `${index}sk` })
    // `~` sorts after every character of a timestamp: the range runs to the end of the prefix.
    Object.assign(values, { ':pk': family.pk, ':from': family.from ?? family.prefix, ':to': `${family.prefix}~` })
    keyCondition = '#pk = :pk AND #sk BETWEEN :from AND :to'
  }
  // The open-critical index is exact (every transition sets or removes a finding's place in it, in its
  // transaction), so status and severity need no filter there.
  const filter = findingConditions(filters, names, values, {
    newSince: index !== 'gsi1',
    openCritical: index === 'gsi3',
  })
  const items: FindingRecord[] = []
  let startKey = page.startKey
  let read = 0
  do {
    const { Items = [], LastEvaluatedKey } = await documents().send(
      new (commands().QueryCommand)({
        TableName: tableName(),
        IndexName: index,
        KeyConditionExpression: keyCondition,
        FilterExpression: filter,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        // Unfiltered, a page is exactly what DynamoDB returns; filtered, it reads ahead in larger steps.
        Limit: filter ? Math.max(page.limit, 200) : page.limit,
        ExclusiveStartKey: startKey,
      }),
    )
    read += filter ? Math.max(page.limit, 200) : page.limit
    startKey = LastEvaluatedKey
    for (const [position, item] of Items.entries()) {
      items.push(recordOf(findingRecord, item))
      if (items.length === page.limit) {
        // A full page: the next one starts after this item, unless it was the last DynamoDB had.
        const last = position === Items.length - 1
        return { items, lastKey: last ? LastEvaluatedKey : indexKeyOf(item, index) }
      }
    }
  } while (startKey && read < filteredReadBudget)
  return { items, lastKey: startKey }
}

/** The position of an item in an index: its table key and the index's key. */
const indexKeyOf = (item: StoredItem, index: 'gsi1' | 'gsi2' | 'gsi3'): StartKey => ({
  pk: item.pk,
  sk: item.sk,
  [`${index}pk`]: item[`${index}pk`],
  [`${index}sk`]: item[`${index}sk`],
})

/** The open critical findings of a workspace first seen the longest ago, oldest first (at most `count`). */
export async function oldestOpenCriticals(workspace: WorkspaceId, count: number): Promise<FindingRecord[]> {
  const { items } = await queryWorkspaceFindings(workspace, { limit: count }, { status: 'open', severity: 'critical' })
  return items
}

export interface Triage {
  reason: DismissReason
  comment: string
  by: string
  /** The dismissal request or suppression this came through, if any. */
  via?: string
}

/** One triage step in a finding's history. */
export const historyRecord = z.object({
  id: EventId,
  at: z.string(),
  actor: eventActor,
  change: z.enum(['dismissed', 'reopened', 'dismissal_requested', 'dismissal_denied']),
  reason: z.nullable(z.string()),
  comment: z.nullable(z.string()),
})
export type HistoryEntry = z.infer<typeof historyRecord>

/** A triage step now, by this actor. */
export const historyEntry = (
  actor: HistoryEntry['actor'],
  change: HistoryEntry['change'],
  reason: string | null = null,
  comment: string | null = null,
): HistoryEntry => ({ id: newId('event'), at: new Date().toISOString(), actor, change, reason, comment })

const historyItem = (finding: FindingId, entry: HistoryEntry) => ({
  Put: { TableName: tableName(), Item: { ...keys.findingHistory(finding, entry.id), ...entry } },
})

/** Records a triage step that changes no status (a request made or denied). */
export async function addHistory(finding: FindingId, entry: HistoryEntry): Promise<void> {
  await transact([historyItem(finding, entry)], () => new Error('history entry exists'))
}

/**
 * Dismisses an open or fixed finding: an open one leaves the open counters. With its history entry, in
 * one transaction; false when it was already dismissed.
 */
export function dismissFinding(finding: FindingRecord, triage: Triage, entry: HistoryEntry): Promise<boolean> {
  const wasOpen = finding.status === 'open'
  return transition([
    {
      Update: {
        TableName: tableName(),
        Key: keys.findingById(finding.id),
        UpdateExpression:
          'SET #status = :dismissed, dismissed_reason = :reason, dismissed_comment = :comment, dismissed_by = :by, dismissed_via = :via, dismissed_at = :now, updated_at = :now REMOVE pending_dismissal, gsi3pk, gsi3sk',
        ConditionExpression: '#status = :was',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':dismissed': 'dismissed',
          ':was': finding.status,
          ':reason': triage.reason,
          ':comment': triage.comment,
          ':by': triage.by,
          ':via': triage.via ?? null,
          ':now': entry.at,
        },
      },
    },
    ...(wasOpen ? [openCounter(finding.repository_id, finding.severity, -1)] : []),
    historyItem(finding.id, entry),
  ])
}

/** Where a finding's repository lives: from the finding, or (stored before the overview) its repository. */
async function homeOf(finding: FindingRecord): Promise<FindingHome | undefined> {
  if (finding.workspace_id && finding.project_id)
    return { workspace_id: finding.workspace_id, project_id: finding.project_id }
  const repository = await getRepository(finding.repository_id)
  return repository && { workspace_id: repository.workspace_id, project_id: repository.project_id }
}

/**
 * Reopens a dismissed finding (a person changed their mind, or a suppression expired). Its open time
 * keeps counting from when it was opened: a dismissal hid it, it did not fix it.
 */
export async function reopenDismissed(finding: FindingRecord, entry: HistoryEntry): Promise<boolean> {
  const home = await homeOf(finding)
  const names: Record<string, string> = { '#status': 'status' }
  const values: Record<string, NativeAttributeValue> = { ':open': 'open', ':dismissed': 'dismissed', ':now': entry.at }
  // No home: the repository is gone, and its counter's condition fails the transaction anyway.
  const placement = home ? setClauses(reopened(finding, home), names, values) : []
  return transition([
    {
      Update: {
        TableName: tableName(),
        Key: keys.findingById(finding.id),
        UpdateExpression: `SET ${['#status = :open', 'updated_at = :now', ...placement].join(', ')} REMOVE dismissed_reason, dismissed_comment, dismissed_by, dismissed_via, dismissed_at`,
        ConditionExpression: '#status = :dismissed',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
    openCounter(finding.repository_id, finding.severity, 1),
    historyItem(finding.id, entry),
  ])
}

/** Marks an open finding as waiting for an admin's decision; false when a live request already waits. */
export function markPendingDismissal(
  finding: FindingId,
  pending: { id: string; expires_at: string },
  entry: HistoryEntry,
): Promise<boolean> {
  return transition([
    {
      Update: {
        TableName: tableName(),
        Key: keys.findingById(finding),
        UpdateExpression: 'SET pending_dismissal = :pending',
        ConditionExpression:
          '#status = :open AND (attribute_not_exists(pending_dismissal) OR pending_dismissal.expires_at < :now)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pending': pending, ':open': 'open', ':now': entry.at },
      },
    },
    historyItem(finding, entry),
  ])
}

export async function clearPendingDismissal(finding: FindingId, request: string): Promise<void> {
  await updateIf({
    Key: keys.findingById(finding),
    UpdateExpression: 'REMOVE pending_dismissal',
    ConditionExpression: 'pending_dismissal.id = :request',
    ExpressionAttributeValues: { ':request': request },
  })
}

export function listHistory(finding: FindingId, page: PageRequest): Promise<Page<HistoryEntry>> {
  return queryRecords(historyRecord, { ...under(keys.findingHistoryOf(finding)), page })
}

/** The finding a later fingerprint continues (its file was renamed), if one was recorded. */
/** The findings these fingerprints are aliases of, by fingerprint (read together, 100 to a request). */
export async function findingsOfAliases(
  repository: RepositoryId,
  fingerprints: string[],
): Promise<Map<string, FindingId>> {
  const byKey = new Map(
    fingerprints.map((fingerprint) => {
      const { pk, sk } = keys.fingerprintAlias(repository, fingerprint)
      return [`${pk}\n${sk}`, fingerprint]
    }),
  )
  const aliases = new Map<string, FindingId>()
  for (const item of await getItems(
    fingerprints.map((fingerprint) => keys.fingerprintAlias(repository, fingerprint)),
  )) {
    const fingerprint = byKey.get(`${item.pk}\n${item.sk}`)
    if (fingerprint) aliases.set(fingerprint, recordOf(FindingId, item.finding_id))
  }
  return aliases
}

export async function putAlias(repository: RepositoryId, fingerprint: string, finding: FindingId): Promise<void> {
  await documents().send(
    new (commands().PutCommand)({
      TableName: tableName(),
      Item: { ...keys.fingerprintAlias(repository, fingerprint), finding_id: finding, repository_id: repository },
    }),
  )
}

/** The occurrences one scan recorded (its findings as that scan saw them), every page. */
export async function occurrencesOfScan(scan: ScanId): Promise<OccurrenceRecord[]> {
  const { gsi2pk, gsi2skPrefix } = keys.findingsOfScan(scan)
  const all: OccurrenceRecord[] = []
  let startKey: PageRequest['startKey']
  do {
    const page = await queryRecords(occurrenceRecord, {
      index: 'gsi2',
      partition: gsi2pk,
      prefix: gsi2skPrefix,
      page: { limit: 500, startKey },
    })
    all.push(...page.items)
    startKey = page.lastKey
  } while (startKey)
  return all
}

/** Every item of a deleted repository's findings: each finding's partition (the finding, its occurrences and history) and the aliases. */
export async function deleteFindingsOf(repository: RepositoryId): Promise<void> {
  const everyPage = async (query: (startKey: PageRequest['startKey']) => Promise<Page<StoredItem>>) => {
    let startKey: PageRequest['startKey']
    do {
      const page = await query(startKey)
      await deleteKeys(page.items)
      startKey = page.lastKey
    } while (startKey)
  }
  let startKey: PageRequest['startKey']
  do {
    const page = await listFindingsOf(repository, { limit: 100, startKey })
    for (const finding of page.items) {
      for (const { pk, skPrefix } of [keys.occurrencesOf(finding.id), keys.findingHistoryOf(finding.id)])
        await everyPage((from) =>
          queryByPrefix({ partition: pk, prefix: skPrefix, page: { limit: 500, startKey: from } }),
        )
      await deleteKeys([keys.findingById(finding.id)])
    }
    startKey = page.lastKey
  } while (startKey)
  const { gsi1pk, gsi1skPrefix } = keys.aliasesOf(repository)
  await everyPage((from) =>
    queryByPrefix({ index: 'gsi1', partition: gsi1pk, prefix: gsi1skPrefix, page: { limit: 100, startKey: from } }),
  )
}
