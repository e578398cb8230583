import { type Handlers, lambda, lists } from '../../shared/api/lambda.js'
import { listAcrossWorkspace, overview, overviewCsvReply } from '../../shared/findings/overview.js'
import { wantsCsv } from '../../shared/http/reply.js'
import { overviewRoutes } from '../../shared/routes/overview.js'

export const handler = lambda(
  overviewRoutes,
  {
    listWorkspaceFindings: async (request) =>
      request.paged(await listAcrossWorkspace(request, request.page, request.query)),
    getOverview: async (request) => {
      const answer = await overview(request, request.query.workspace_id)
      return wantsCsv(request.headers, request.query.format) ? overviewCsvReply(answer, request.query.rows) : answer
    },
  } satisfies Handlers<typeof overviewRoutes>,
  { lists },
)
