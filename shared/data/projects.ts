// Projects: one item each, read by id; a name item per workspace makes names unique (case-insensitive);
// repository_count moves in the same transactions that create and delete repositories.
import { documents } from '../aws/clients.js'
import { hasChildren, nameTaken } from '../errors.js'
import { newId, ProjectId, WorkspaceId } from '../ids.js'
import * as z from '../zod.js'
import {
  claimKey,
  commands,
  deleteWhen,
  getRecord,
  type Page,
  type PageRequest,
  queryRecords,
  releaseKey,
  tableName,
  transact,
  under,
  updateNamed,
} from './db.js'
import * as keys from './keys.js'

/** A project as stored; `deleting_at` is set while a large cascade runs in the background. */
export const projectRecord = z.object({
  id: ProjectId,
  workspace_id: WorkspaceId,
  name: z.string(),
  description: z.string(),
  repository_count: z.number().check(z.int()),
  created_at: z.string(),
  updated_at: z.string(),
  deleting_at: z.optional(z.string()),
})
export type ProjectRecord = z.infer<typeof projectRecord>

const duplicateName = (name: string) => nameTaken(`A project named ${name} already exists in this workspace`)

export async function createProject(
  workspace: WorkspaceId,
  input: { name: string; description?: string },
): Promise<ProjectRecord> {
  const now = new Date().toISOString()
  const project: ProjectRecord = {
    id: newId('project'),
    workspace_id: workspace,
    name: input.name,
    description: input.description ?? '',
    repository_count: 0,
    created_at: now,
    updated_at: now,
  }
  await transact(
    [
      { Put: { TableName: tableName(), Item: { ...keys.project(workspace, project.id), ...project } } },
      claimKey(keys.projectName(workspace, project.name), { project_id: project.id }),
    ],
    () => duplicateName(project.name),
  )
  return project
}

/** A project being deleted in the background already reads as gone. */
export async function getProject(id: ProjectId): Promise<ProjectRecord | undefined> {
  const project = await getProjectForDeletion(id)
  return project && !project.deleting_at ? project : undefined
}

/** The project, even while it is being deleted: for the background deletion itself. */
export async function getProjectForDeletion(id: ProjectId): Promise<ProjectRecord | undefined> {
  return getRecord(projectRecord, keys.projectById(id), { consistent: true })
}

/** Marks a project deleting: reads treat it as gone and no repository can be added to it. */
export async function markDeleting(project: ProjectRecord): Promise<void> {
  await documents().send(
    new (commands().UpdateCommand)({
      TableName: tableName(),
      Key: keys.projectById(project.id),
      UpdateExpression: 'SET deleting_at = :now',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':now': new Date().toISOString() },
    }),
  )
}

/** A workspace's projects, oldest first, so a page never shifts under concurrent creates. */
export function listProjects(workspace: WorkspaceId, page: PageRequest): Promise<Page<ProjectRecord>> {
  return queryRecords(projectRecord, { ...under(keys.projectsOf(workspace)), page })
}

export function updateProject(
  project: ProjectRecord,
  changes: { name?: string; description?: string },
): Promise<ProjectRecord> {
  return updateNamed(project, changes, {
    key: keys.projectById(project.id),
    nameKey: (name) => keys.projectName(project.workspace_id, name),
    owner: { project_id: project.id },
    onTaken: duplicateName,
  })
}

/** Deletes a project with no repositories left (the count is the condition, so a racing create wins). */
export async function deleteProject(project: ProjectRecord): Promise<void> {
  await transact(
    [
      deleteWhen(keys.projectById(project.id), 'repository_count = :zero', { ':zero': 0 }),
      releaseKey(keys.projectName(project.workspace_id, project.name)),
    ],
    () => hasChildren(`Project ${project.id} still has repositories`),
  )
}
