import { type Handlers, lambda, notBuilt } from '../../shared/http/lambda.js'
import { sessionRoutes } from '../../shared/routes/index.js'

// TODO(#6): every route of this group answers 501 not_implemented until its issue lands.
export const handler = lambda(sessionRoutes, {
  createSession: notBuilt,
  getSession: notBuilt,
  analyzeSession: notBuilt,
} satisfies Handlers<typeof sessionRoutes>)
