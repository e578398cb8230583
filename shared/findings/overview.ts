// The security overview (#19): a workspace's findings in one list, and its figures for dashboards, read
// from counters the scan pipeline keeps (each repository's open findings by severity, each day's new,
// fixed and reopened findings, time to fix, scans and gate failures) and the sparse index of open
// criticals: a few queries whatever the number of findings.
import { stringify } from 'csv-stringify/sync'
import { type Access, defaultWorkspace } from '../auth/access.js'
import { findProject } from '../catalog/projects.js'
import { findRepository } from '../catalog/repositories.js'
import type { Page, PageRequest } from '../data/db.js'
import { type FindingRecord, oldestOpenCriticals, queryWorkspaceFindings } from '../data/findings.js'
import { type DayFigures, dayFigures, listDays, utcDay } from '../data/overview.js'
import { listProjects, type ProjectRecord } from '../data/projects.js'
import {
  lastScanOf,
  listRepositoriesOfWorkspace,
  openFindings,
  type RepositoryRecord,
  type SeverityCounts,
  severities,
} from '../data/repositories.js'
import { notFound } from '../http/errors.js'
import { Reply } from '../http/reply.js'
import type { ProjectId, RepositoryId, WorkspaceId } from '../ids.js'
import { toFinding } from './read.js'

export interface WorkspaceFindingQuery {
  workspace_id?: WorkspaceId
  project?: ProjectId
  repository?: RepositoryId
  severity?: FindingRecord['severity']
  status?: FindingRecord['status']
  engine?: string
  rule?: string
  path?: string
  context?: NonNullable<FindingRecord['context'] | 'none'>[]
  new_since?: string
}

/** The workspace a request is about, once the caller may read it: the one named, else the caller's first. */
async function readableWorkspace(access: Access, asked?: WorkspaceId): Promise<WorkspaceId> {
  const workspace = asked ?? (await defaultWorkspace(access.actor))
  await access.authorize(workspace, () => notFound('Workspace', workspace))
  return workspace
}

/**
 * The workspace a findings list reads: that of the project or repository it names (which must be the
 * caller's to see, and in `workspace_id` when both are given: else 404, as for any resource not theirs),
 * else the one named or the caller's first. Undefined when the repository is not in the project named.
 */
async function scopeOf(access: Access, query: WorkspaceFindingQuery): Promise<WorkspaceId | undefined> {
  const inAsked = <T extends { workspace_id: WorkspaceId }>(record: T, what: string, id: string) => {
    if (query.workspace_id && record.workspace_id !== query.workspace_id) throw notFound(what, id)
    return record
  }
  if (query.repository) {
    const repository = inAsked(await findRepository(access, query.repository), 'Repository', query.repository)
    if (query.project) inAsked(await findProject(access, query.project), 'Project', query.project)
    return query.project && repository.project_id !== query.project ? undefined : repository.workspace_id
  }
  if (query.project) return inAsked(await findProject(access, query.project), 'Project', query.project).workspace_id
  return readableWorkspace(access, query.workspace_id)
}

/** GET /v1/findings: the workspace's findings with the repository list's filters, plus project and repository. */
export async function listAcrossWorkspace(access: Access, page: PageRequest, query: WorkspaceFindingQuery) {
  const workspace = await scopeOf(access, query)
  const found: Page<FindingRecord> = workspace
    ? await queryWorkspaceFindings(workspace, page, { ...query, pathPrefix: query.path, newSince: query.new_since })
    : { items: [] }
  return { items: found.items.map(toFinding), lastKey: found.lastKey }
}

const dayMs = 86_400_000
const addDays = (day: string, days: number) => utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + days * dayMs))
const noneOpen = (): SeverityCounts => ({ critical: 0, high: 0, medium: 0, low: 0, info: 0 })
const addCounts = (into: SeverityCounts, counts: SeverityCounts) => {
  for (const severity of severities) into[severity] += counts[severity]
}

/** Every item of a paged query. */
async function everyPage<T>(list: (page: PageRequest) => Promise<Page<T>>): Promise<T[]> {
  const all: T[] = []
  let startKey: PageRequest['startKey']
  do {
    const page = await list({ limit: 500, startKey })
    all.push(...page.items)
    startKey = page.lastKey
  } while (startKey)
  return all
}

type Window = { new_findings: number; fixed_findings: number; reopened_findings: number; fix_seconds: number }

const windowOf = (days: DayFigures[]) => {
  const sum: Window = { new_findings: 0, fixed_findings: 0, reopened_findings: 0, fix_seconds: 0 }
  for (const day of days) for (const name of Object.keys(sum) as (keyof Window)[]) sum[name] += day[name]
  return {
    new_findings: sum.new_findings,
    fixed_findings: sum.fixed_findings,
    reopened_findings: sum.reopened_findings,
    mean_time_to_fix_s: sum.fixed_findings ? Math.round(sum.fix_seconds / sum.fixed_findings) : null,
  }
}

/** The overview of a workspace: four queries, none of which reads a finding other than the oldest critical. */
export async function overview(access: Access, asked?: WorkspaceId, now = new Date()) {
  const workspace = await readableWorkspace(access, asked)
  const today = utcDay(now)
  const first = addDays(today, -29)
  const [projects, repositories, dayItems, criticals] = await Promise.all([
    everyPage((page) => listProjects(workspace, page)),
    everyPage((page) => listRepositoriesOfWorkspace(workspace, page)),
    listDays(workspace, first, today),
    // A few, should the oldest belong to a project being deleted.
    oldestOpenCriticals(workspace, 10),
  ])
  // A project being deleted in the background reads as gone, with its repositories.
  const live = new Map<ProjectId, ProjectRecord>(
    projects.filter((project) => !project.deleting_at).map((project) => [project.id, project]),
  )
  const shown = repositories.filter((repository) => live.has(repository.project_id))
  const byProject = new Map<ProjectId, { repositories: number; open: SeverityCounts }>(
    [...live.keys()].map((id) => [id, { repositories: 0, open: noneOpen() }]),
  )
  const total = noneOpen()
  for (const repository of shown) {
    const open = openFindings(repository)
    const project = byProject.get(repository.project_id)!
    project.repositories++
    addCounts(project.open, open)
    addCounts(total, open)
  }
  const days = new Map<string, DayFigures>()
  for (let day = first; day <= today; day = addDays(day, 1))
    days.set(day, Object.fromEntries(dayFigures.map((name) => [name, 0])) as DayFigures)
  for (const item of dayItems) {
    const day = days.get(item.day)
    if (day) for (const name of dayFigures) day[name] += item[name]
  }
  const series = [...days.entries()]
  const oldest = criticals.find((finding) => finding.project_id && live.has(finding.project_id))
  return {
    workspace_id: workspace,
    as_of: today,
    open_findings: total,
    projects: [...live.values()].map((project) => ({
      project_id: project.id,
      name: project.name,
      repositories: byProject.get(project.id)!.repositories,
      open_findings: byProject.get(project.id)!.open,
    })),
    repositories: shown.map((repository: RepositoryRecord) => ({
      repository_id: repository.id,
      project_id: repository.project_id,
      name: repository.name,
      open_findings: openFindings(repository),
      last_scan: lastScanOf(repository),
    })),
    last_7_days: windowOf(series.slice(-7).map(([, figures]) => figures)),
    last_30_days: windowOf(series.map(([, figures]) => figures)),
    oldest_open_critical: oldest
      ? {
          id: oldest.id,
          repository_id: oldest.repository_id,
          project_id: oldest.project_id!,
          rule_id: oldest.rule_id,
          title: oldest.title,
          path: oldest.path,
          first_seen_at: oldest.created_at,
          first_seen_scan_id: oldest.first_seen_scan_id,
        }
      : null,
    days: series.map(([day, figures]) => ({
      day,
      scans: figures.scans,
      scans_failed: figures.scans_failed,
      gate_failures: figures.gate_failures,
      new_findings: figures.new_findings,
      fixed_findings: figures.fixed_findings,
      reopened_findings: figures.reopened_findings,
    })),
  }
}

export type Overview = Awaited<ReturnType<typeof overview>>
/** What the rows of the overview's CSV are. */
export const overviewRows = ['repositories', 'projects', 'days'] as const
type Rows = (typeof overviewRows)[number]
const sum = (open: SeverityCounts) => severities.reduce((total, severity) => total + open[severity], 0)
const counts = (open: SeverityCounts) => [...severities.map((severity) => open[severity]), sum(open)]

/** The CSV columns of each kind of row (docs/integrations.md lists them). */
export const overviewCsvColumns: Record<Rows, string[]> = {
  repositories: ['repository_id', 'repository', 'project_id', 'project', ...severities, 'open', 'last_scan_status'],
  projects: ['project_id', 'project', 'repositories', ...severities, 'open'],
  days: ['day', 'scans', 'scans_failed', 'gate_failures', 'new_findings', 'fixed_findings', 'reopened_findings'],
}

/**
 * The overview as CSV (RFC 4180, by csv-stringify): a header row, then one row per repository, project or
 * day, and nothing else. The dispatcher adds the ETag (over these bytes), `Vary: Accept` and the 304.
 */
export function overviewCsvReply(answer: Overview, rows: Rows): Reply {
  const projectName = new Map(answer.projects.map((project) => [project.project_id, project.name]))
  const records =
    rows === 'repositories'
      ? answer.repositories.map((repository) => [
          repository.repository_id,
          repository.name,
          repository.project_id,
          projectName.get(repository.project_id) ?? '',
          ...counts(repository.open_findings),
          repository.last_scan?.status ?? '',
        ])
      : rows === 'projects'
        ? answer.projects.map((project) => [
            project.project_id,
            project.name,
            project.repositories,
            ...counts(project.open_findings),
          ])
        : answer.days.map((day) => overviewCsvColumns.days.map((column) => day[column as keyof typeof day]))
  const body = stringify(records, { header: true, columns: overviewCsvColumns[rows], record_delimiter: '\r\n' })
  return Reply.text(body, 'text/csv; charset=utf-8', {
    'content-disposition': `attachment; filename="vega-overview-${rows}-${answer.as_of}.csv"`,
  })
}
