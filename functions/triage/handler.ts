import { type Handlers, lambda, notBuilt } from '../../shared/http/lambda.js'
import { triageRoutes } from '../../shared/routes/index.js'

// TODO(#8): every route of this group answers 501 not_implemented until its issue lands.
export const handler = lambda(triageRoutes, {
  listDismissalRequests: notBuilt,
  approveDismissal: notBuilt,
  denyDismissal: notBuilt,
  importSarif: notBuilt,
  getWorkspacePolicy: notBuilt,
  putWorkspacePolicy: notBuilt,
  getProjectPolicy: notBuilt,
  putProjectPolicy: notBuilt,
} satisfies Handlers<typeof triageRoutes>)
