// Repositories as the routes see them, each change written to the repository's timeline.

import { type Access, defaultWorkspace, eventActor, inWorkspace } from '../auth/access.js'
import { appendEvent } from '../data/append-event.js'
import type { PageRequest } from '../data/db.js'
import { listEvents } from '../data/events.js'
import {
  createRepository,
  getRepository,
  listRepositoriesOfProject,
  listRepositoriesOfWorkspace,
  type RepositoryRecord,
  updateRepository,
} from '../data/repositories.js'
import { listSessionsOf } from '../data/sessions.js'
import { listUploadsOf } from '../data/uploads.js'
import { conflict } from '../http/errors.js'
import type { ProjectId, RepositoryId, WorkspaceId } from '../ids.js'
import { destroyRepository } from './delete-repository.js'
import { findProject } from './projects.js'

export const toRepository = (record: RepositoryRecord) => ({
  id: record.id,
  project_id: record.project_id,
  workspace_id: record.workspace_id,
  name: record.name,
  default_branch: record.default_branch,
  description: record.description,
  last_scan_id: record.last_scan_id,
  created_at: record.created_at,
  updated_at: record.updated_at,
})

export async function findRepository(access: Access, id: RepositoryId): Promise<RepositoryRecord> {
  return inWorkspace(access, await getRepository(id), 'Repository', id)
}

export async function create(
  access: Access,
  input: { project_id: ProjectId; name: string; default_branch?: string; description?: string },
) {
  const project = await findProject(access, input.project_id)
  const repository = await createRepository(project, input)
  await appendEvent(repository.id, 'repository.created', eventActor(access.actor), { name: repository.name })
  return toRepository(repository)
}

export async function list(access: Access, projectId: ProjectId | undefined, page: PageRequest) {
  let repositories: Awaited<ReturnType<typeof listRepositoriesOfWorkspace>>
  if (projectId) {
    await findProject(access, projectId)
    repositories = await listRepositoriesOfProject(projectId, page)
  } else {
    const workspace: WorkspaceId = await defaultWorkspace(access.actor)
    await access.authorize(workspace)
    repositories = await listRepositoriesOfWorkspace(workspace, page)
  }
  return { items: repositories.items.map(toRepository), lastKey: repositories.lastKey }
}

export async function update(
  access: Access,
  id: RepositoryId,
  changes: { name?: string; default_branch?: string; description?: string },
) {
  const before = await findRepository(access, id)
  const after = await updateRepository(before, changes)
  const actor = eventActor(access.actor)
  if (after.name !== before.name)
    await appendEvent(id, 'repository.renamed', actor, { from: before.name, to: after.name })
  const fields = (['default_branch', 'description'] as const).filter((field) => after[field] !== before[field])
  if (fields.length) await appendEvent(id, 'repository.updated', actor, { fields })
  return toRepository(after)
}

/**
 * Deletes a repository and everything it holds: its scans, uploads, sessions, findings (with their
 * occurrences, history and aliases), suppressions, stored packs and bundles, and its timeline. The repository item goes first, so nothing new can be pushed to it meanwhile.
 */
/** A repository that holds uploads or scans is deleted only with `cascade`, which deletes them too. */
export async function remove(access: Access, id: RepositoryId, cascade: boolean) {
  const repository = await findRepository(access, id)
  const holds = async () =>
    (await listUploadsOf(repository.id, { limit: 1 })).items.length > 0 ||
    (await listSessionsOf(repository.id, { limit: 1 })).items.length > 0
  if (!cascade && (await holds())) {
    throw conflict(`Repository ${id} holds uploads and scans; delete with ?cascade=true to remove them too`)
  }
  await destroyRepository(repository)
}

export async function events(access: Access, id: RepositoryId, page: PageRequest) {
  await findRepository(access, id)
  const events = await listEvents(id, page)
  // `created_at`, as every record names its time; `at` stays until its sunset (GET /v1/deprecations).
  return { ...events, items: events.items.map((event) => ({ ...event, created_at: event.at })) }
}
