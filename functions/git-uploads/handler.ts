import { type Handlers, idempotency, lambda, streamingLambda } from '../../shared/api/lambda.js'
import { gitUploadRoutes } from '../../shared/routes/git-uploads.js'
import { complete, create, extend, get, infoRefs, receivePack, release } from '../../shared/uploads/git-uploads.js'

const routes = {
  createGitUpload: (request) => create(request, request.body),
  getGitUpload: (request) => get(request, request.params.id),
  extendGitUpload: (request) => extend(request, request.params.id, request.body.expires_in_s),
  releaseGitUpload: async (request) => {
    await release(request, request.params.id)
  },
  completeGitUpload: (request) => complete(request, request.params.id),
  gitInfoRefs: ({ params, query, headers }) => infoRefs(params.id, headers.authorization, query.service),
  gitReceivePack: ({ params, headers, rawBody, context }) =>
    receivePack(params.id, headers.authorization, rawBody, context.log),
} satisfies Handlers<typeof gitUploadRoutes>

export const handler = lambda(gitUploadRoutes, routes, { idempotency })
/** The route marked `streams` (git-receive-pack), as its own streaming function invokes it. */
export const streamHandler = streamingLambda(gitUploadRoutes, routes, { idempotency })
