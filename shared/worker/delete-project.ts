// A large project's cascade, run by the worker: every repository with all it holds, then the project.
// Safe to run again: what is gone stays gone, and the project goes last.
import { deleteWithRepositories } from '../catalog/projects.js'
import { getProjectForDeletion } from '../data/projects.js'
import type { ProjectId } from '../ids.js'
import type { RequestLog } from '../log.js'

export async function deleteProjectInBackground(id: ProjectId, log: RequestLog): Promise<void> {
  const project = await getProjectForDeletion(id)
  if (!project) return log.info('project already deleted', { project_id: id })
  const started = performance.now()
  await deleteWithRepositories(project)
  log.info('project deleted in the background', {
    project_id: id,
    duration_ms: Math.round(performance.now() - started),
  })
}
