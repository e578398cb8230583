import { type Handlers, lambda } from '../../shared/api/lambda.js'
import { workspaceFor } from '../../shared/auth/access.js'
import { putAdvisories } from '../../shared/data/advisories.js'
import { requestLog } from '../../shared/log.js'
import { mayImportAdvisories } from '../../shared/ops/advisories.js'
import { cleanup } from '../../shared/ops/cleanup.js'
import { showLimits, updateLimits } from '../../shared/ops/limits.js'
import { workers } from '../../shared/ops/workers.js'
import { opsRoutes } from '../../shared/routes/ops.js'

export const handler = lambda(opsRoutes, {
  getLimits: async (request) => showLimits(request, await workspaceFor(request, request.query.workspace_id)),
  updateLimits: async (request) =>
    updateLimits(request, await workspaceFor(request, request.body.workspace_id), request.body),
  getWorkers: async (request) => workers(await workspaceFor(request, request.query.workspace_id)),
  runCleanup: async (request) => {
    const workspace = await workspaceFor(request, request.body.workspace_id)
    const log = requestLog({ route: request.routeId, workspace_id: workspace })
    return cleanup(log, { dryRun: request.body.dry_run, workspace })
  },
  importAdvisories: async (request) => {
    await mayImportAdvisories(request)
    return putAdvisories(request.body.advisories)
  },
} satisfies Handlers<typeof opsRoutes>)
