import { type Handlers, lambda, lists } from '../../shared/api/lambda.js'
import { webhookRoutes } from '../../shared/routes/webhooks.js'
import * as webhooks from '../../shared/workspaces/webhooks.js'

export const handler = lambda(
  webhookRoutes,
  {
    listWebhooks: async (request) => request.paged(await webhooks.list(request, request.query, request.page)),
    createWebhook: (request) => webhooks.create(request, request.body),
    getWebhook: (request) => webhooks.get(request, request.params.id),
    updateWebhook: (request) => webhooks.update(request, request.params.id, request.body),
    deleteWebhook: async (request) => {
      await webhooks.remove(request, request.params.id)
    },
    rotateWebhookSecret: (request) => webhooks.rotate(request, request.params.id, request.body.grace_period_s),
    pingWebhook: (request) => webhooks.ping(request, request.params.id),
    listWebhookDeliveries: async (request) =>
      request.paged(await webhooks.deliveries(request, request.params.id, request.page, request.query.status)),
    getWebhookDelivery: (request) => webhooks.delivery(request, request.params.id, request.params.deliveryId),
    redeliverWebhookDelivery: (request) => webhooks.redeliver(request, request.params.id, request.params.deliveryId),
  } satisfies Handlers<typeof webhookRoutes>,
  { lists },
)
