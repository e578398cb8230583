// Projects as the routes see them. Another workspace's project is "not found", never "forbidden".

import { type Access, defaultWorkspace, inWorkspace } from '../auth/access.js'
import type { PageRequest } from '../data/db.js'
import { deletePolicy } from '../data/policies.js'
import {
  createProject,
  deleteProject,
  getProject,
  getProjectForDeletion,
  listProjects,
  markDeleting,
  type ProjectRecord,
  updateProject,
} from '../data/projects.js'
import { lastScanOf, listRepositoriesOfProject, openFindings, type RepositoryRecord } from '../data/repositories.js'
import { Reply } from '../http/reply.js'
import type { ProjectId, WorkspaceId } from '../ids.js'
import { enqueueProjectDeletion } from '../queue/scans.js'
import { destroyRepository } from './delete-repository.js'

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
  return inWorkspace(access, await getProject(id), 'Project', id)
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
/** Past this many repositories a cascade runs in the worker, not in the request. */
export const cascadeInRequestLimit = 20

/**
 * Deletes a project. With repositories it needs `cascade`, which deletes them (and all they hold) first:
 * in the request when there are few (204), in the background when there are many (202, saying so).
 */
export async function remove(access: Access, id: ProjectId, cascade: boolean): Promise<Reply | undefined> {
  const project = await findProject(access, id)
  if (!cascade || project.repository_count === 0) {
    await deleteProject(project)
    await deletePolicy(project.id)
    return undefined
  }
  if (project.repository_count > cascadeInRequestLimit) {
    await markDeleting(project)
    await enqueueProjectDeletion(project.id)
    return Reply.json(
      { id: project.id, status: 'deleting', repositories: project.repository_count, background: true },
      202,
    )
  }
  await deleteWithRepositories(project)
  return undefined
}

/** Deletes every repository of the project, then the project: the request's cascade and the worker's. */
export async function deleteWithRepositories(project: ProjectRecord): Promise<void> {
  for (;;) {
    const page = await listRepositoriesOfProject(project.id, { limit: 100 })
    for (const repository of page.items) await destroyRepository(repository)
    if (!page.lastKey) break
  }
  await deleteProject(project).catch(async (error) => {
    // Another deleter finished first: gone is what we wanted.
    if (await getProjectForDeletion(project.id)) throw error
  })
  await deletePolicy(project.id)
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
    last_scan: lastScanOf(repository),
    open_findings: openFindings(repository),
  }))
  const totals = { critical: 0, high: 0, medium: 0, low: 0, info: 0 }
  for (const row of rows)
    for (const [severity, count] of Object.entries(row.open_findings)) totals[severity as keyof typeof totals] += count
  return { project_id: project.id, repositories: rows, totals: { repositories: rows.length, open_findings: totals } }
}
