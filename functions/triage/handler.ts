import * as triage from '../../shared/findings/triage.js'
import { type Handlers, lambda, notBuilt } from '../../shared/http/lambda.js'
import { triageRoutes } from '../../shared/routes/index.js'

// TODO(#8): SARIF import and policies arrive next.
export const handler = lambda(triageRoutes, {
  listDismissalRequests: async (request) =>
    request.paged(await triage.listRequests(request, request.page, request.query)),
  approveDismissal: (request) =>
    triage.decide(request, request.params.id, { approve: true, comment: request.body.comment }),
  denyDismissal: (request) =>
    triage.decide(request, request.params.id, { approve: false, comment: request.body.comment }),
  importSarif: notBuilt,
  getWorkspacePolicy: notBuilt,
  putWorkspacePolicy: notBuilt,
  getProjectPolicy: notBuilt,
  putProjectPolicy: notBuilt,
} satisfies Handlers<typeof triageRoutes>)
