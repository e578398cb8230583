import { type Handlers, idempotency, lambda, lists } from '../../shared/api/lambda.js'
import * as policies from '../../shared/findings/gate.js'
import * as sarif from '../../shared/findings/sarif-io.js'
import * as triage from '../../shared/findings/triage.js'
import { triageRoutes } from '../../shared/routes/triage.js'

export const handler = lambda(
  triageRoutes,
  {
    listDismissalRequests: async (request) =>
      request.paged(await triage.listRequests(request, request.page, request.query)),
    approveDismissal: (request) =>
      triage.decide(request, request.params.id, { approve: true, comment: request.body.comment }),
    denyDismissal: (request) =>
      triage.decide(request, request.params.id, { approve: false, comment: request.body.comment }),
    importSarif: (request) => sarif.importLog(request, request.params.id, request.body),
    getWorkspacePolicy: (request) => policies.getWorkspacePolicy(request.params.id),
    putWorkspacePolicy: (request) => policies.setWorkspacePolicy(request, request.params.id, request.body),
    getProjectPolicy: (request) => policies.getProjectPolicy(request, request.params.id),
    putProjectPolicy: (request) => policies.setProjectPolicy(request, request.params.id, request.body),
  } satisfies Handlers<typeof triageRoutes>,
  { lists, idempotency },
)
