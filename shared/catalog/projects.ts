// Projects as the routes see them. Another workspace's project is "not found", never "forbidden".

import type { PageRequest } from '../data/db.js'
import {
  createProject,
  deleteProject,
  getProject,
  listProjects,
  type ProjectRecord,
  updateProject,
} from '../data/projects.js'
import { listRepositoriesOfProject, openFindings, type RepositoryRecord } from '../data/repositories.js'
import { notFound } from '../http/errors.js'
import type { ProjectId, WorkspaceId } from '../ids.js'
import { type Access, defaultWorkspace } from './access.js'
import { destroy } from './repositories.js'

export const toProject = (record: ProjectRecord) => ({
  id: record.id,
  workspace_id: record.workspace_id,
  name: record.name,
  description: record.description,
  repository_count: record.repository_count,
  created_at: record.created_at,
  updated_at: record.updated_at,
})

/** The project, if the caller holds the route's role in its workspace; else the same 404 as none. */
export async function findProject(access: Access, id: ProjectId): Promise<ProjectRecord> {
  const project = await getProject(id)
  const hidden = () => notFound('Project', id)
  if (!project) throw hidden()
  await access.authorize(project.workspace_id, hidden)
  return project
}

export async function create(
  access: Access,
  input: { name: string; description?: string; workspace_id?: WorkspaceId },
) {
  const workspace = input.workspace_id ?? (await defaultWorkspace(access.actor))
  await access.authorize(workspace)
  return toProject(await createProject(workspace, input))
}

export async function list(access: Access, workspaceId: WorkspaceId | undefined, page: PageRequest) {
  const workspace = workspaceId ?? (await defaultWorkspace(access.actor))
  await access.authorize(workspace)
  const projects = await listProjects(workspace, page)
  return { items: projects.items.map(toProject), lastKey: projects.lastKey }
}

export async function update(access: Access, id: ProjectId, changes: { name?: string; description?: string }) {
  return toProject(await updateProject(await findProject(access, id), changes))
}

/**
 * Deletes a project. With repositories it needs `cascade`, which deletes them first (their scans and
 * findings go with them once those exist).
 */
export async function remove(access: Access, id: ProjectId, cascade: boolean) {
  const project = await findProject(access, id)
  if (cascade) {
    let page = await listRepositoriesOfProject(project.id, { limit: 100 })
    for (;;) {
      for (const repository of page.items) await destroy(repository)
      if (!page.lastKey) break
      page = await listRepositoriesOfProject(project.id, { limit: 100, startKey: page.lastKey })
    }
  }
  await deleteProject(project)
}

export async function rollup(access: Access, id: ProjectId) {
  const project = await findProject(access, id)
  const repositories: RepositoryRecord[] = []
  let startKey: PageRequest['startKey']
  do {
    const page = await listRepositoriesOfProject(project.id, { limit: 200, startKey })
    repositories.push(...page.items)
    startKey = page.lastKey
  } while (startKey)
  const rows = repositories.map((repository) => ({
    repository_id: repository.id,
    name: repository.name,
    last_scan: repository.last_scan_id
      ? {
          id: repository.last_scan_id,
          status: repository.last_scan_status ?? 'queued',
          finished_at: repository.last_scan_finished_at,
        }
      : null,
    open_findings: openFindings(repository),
  }))
  const totals = { critical: 0, high: 0, medium: 0, low: 0, info: 0 }
  for (const row of rows)
    for (const [severity, count] of Object.entries(row.open_findings)) totals[severity as keyof typeof totals] += count
  return { project_id: project.id, repositories: rows, totals: { repositories: rows.length, open_findings: totals } }
}
