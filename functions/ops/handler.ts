import { type Handlers, lambda, notBuilt } from '../../shared/http/lambda.js'
import { opsRoutes } from '../../shared/routes/index.js'

// TODO(#9): every route of this group answers 501 not_implemented until its issue lands.
export const handler = lambda(opsRoutes, {
  getLimits: notBuilt,
  getWorkers: notBuilt,
  runCleanup: notBuilt,
  importAdvisories: notBuilt,
} satisfies Handlers<typeof opsRoutes>)
