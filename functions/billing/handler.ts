import { type Handlers, lambda, lists } from '../../shared/api/lambda.js'
import { workspaceFor } from '../../shared/auth/access.js'
import { periodOf, summarize, summaryReply, usageCsvReply, usageLines, wantsCsv } from '../../shared/billing/summary.js'
import { billingRoutes } from '../../shared/routes/billing.js'

export const handler = lambda(
  billingRoutes,
  {
    getBillingSummary: async (request) => {
      const workspace = await workspaceFor(request, request.query.workspace_id)
      const summary = await summarize(workspace, periodOf(request.query), request.query.group_by)
      return summaryReply(summary, request.headers, request.query.format)
    },
    listBillingUsage: async (request) => {
      const { workspace_id, project_id, repository_id } = request.query
      const workspace = await workspaceFor(request, workspace_id)
      const lines = await usageLines(workspace, periodOf(request.query), request.page, { project_id, repository_id })
      const page = await request.paged(lines)
      return wantsCsv(request.headers, request.query.format) ? usageCsvReply(page.items) : page
    },
  } satisfies Handlers<typeof billingRoutes>,
  { lists },
)
