import { type Handlers, lambda, notBuilt } from '../../shared/http/lambda.js'
import { apiKeyRoutes } from '../../shared/routes/index.js'

// TODO(#4): every route of this group answers 501 not_implemented until its issue lands.
export const handler = lambda(apiKeyRoutes, {
  listApiKeys: notBuilt,
  createApiKey: notBuilt,
  deleteApiKey: notBuilt,
  revokeApiKey: notBuilt,
  purgeApiKeys: notBuilt,
} satisfies Handlers<typeof apiKeyRoutes>)
