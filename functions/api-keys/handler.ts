import { type Handlers, lambda, lists } from '../../shared/api/lambda.js'
import { create, list, purge, remove, revoke } from '../../shared/auth/api-keys.js'
import { apiKeyRoutes } from '../../shared/routes/api-keys.js'

export const handler = lambda(
  apiKeyRoutes,
  {
    listApiKeys: async ({ actor, query, page, paged }) => paged(await list(actor, query.workspace_id, page)),
    createApiKey: ({ actor, body }) => create(actor, body),
    deleteApiKey: async ({ actor, params }) => {
      await remove(actor, params.id)
    },
    revokeApiKey: async ({ actor, body }) => {
      await revoke(actor, body)
    },
    purgeApiKeys: ({ actor, body }) => purge(actor, body.password),
  } satisfies Handlers<typeof apiKeyRoutes>,
  { lists },
)
