import { type Handlers, lambda } from '../../shared/api/lambda.js'
import { gitUploadRoutes } from '../../shared/routes/git-uploads.js'
import { complete, create, extend, get, infoRefs, receivePack, release } from '../../shared/uploads/git-uploads.js'

export const handler = lambda(gitUploadRoutes, {
  createGitUpload: (request) => create(request, request.body),
  getGitUpload: (request) => get(request, request.params.id),
  extendGitUpload: (request) => extend(request, request.params.id, request.body.expires_in_s),
  releaseGitUpload: async (request) => {
    await release(request, request.params.id)
  },
  completeGitUpload: (request) => complete(request, request.params.id),
  gitInfoRefs: ({ params, query, headers }) => infoRefs(params.id, headers.authorization, query.service),
  gitReceivePack: ({ params, headers, rawBody }) => receivePack(params.id, headers.authorization, rawBody),
} satisfies Handlers<typeof gitUploadRoutes>)
