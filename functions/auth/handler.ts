import { type Handlers, lambda, notBuilt } from '../../shared/http/lambda.js'
import { authRoutes } from '../../shared/routes/index.js'

// TODO(#4): every route of this group answers 501 not_implemented until its issue lands.
export const handler = lambda(authRoutes, {
  login: notBuilt,
  refreshSession: notBuilt,
  logout: notBuilt,
  getMe: notBuilt,
  setPassword: notBuilt,
} satisfies Handlers<typeof authRoutes>)
