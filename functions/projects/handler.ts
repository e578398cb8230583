import { type Handlers, idempotency, lambda, lists } from '../../shared/api/lambda.js'
import { create, findProject, list, remove, rollup, toProject, update } from '../../shared/catalog/projects.js'
import { listOfProject } from '../../shared/catalog/scans.js'
import { projectRoutes } from '../../shared/routes/projects.js'

export const handler = lambda(
  projectRoutes,
  {
    listProjects: async (request) => request.paged(await list(request, request.query.workspace_id, request.page)),
    createProject: (request) => create(request, request.body),
    getProject: async (request) => toProject(await findProject(request, request.params.id)),
    updateProject: (request) => update(request, request.params.id, request.body),
    replaceProject: (request) => update(request, request.params.id, request.body),
    // 204 when done in the request; 202 with what is left when a large cascade goes to the worker.
    deleteProject: (request) => remove(request, request.params.id, request.query.cascade),
    listProjectScans: async (request) =>
      request.paged(await listOfProject(request, request.params.id, request.page, request.query.status)),
    getProjectRollup: (request) => rollup(request, request.params.id),
  } satisfies Handlers<typeof projectRoutes>,
  { lists, idempotency },
)
