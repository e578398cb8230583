import { type Handlers, lambda, notBuilt } from '../../shared/http/lambda.js'
import { projectRoutes } from '../../shared/routes/index.js'

// TODO(#5): every route of this group answers 501 not_implemented until its issue lands.
export const handler = lambda(projectRoutes, {
  listProjects: notBuilt,
  createProject: notBuilt,
  getProject: notBuilt,
  updateProject: notBuilt,
  replaceProject: notBuilt,
  deleteProject: notBuilt,
  listProjectScans: notBuilt,
  getProjectRollup: notBuilt,
} satisfies Handlers<typeof projectRoutes>)
