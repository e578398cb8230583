import { type Handlers, lambda, notBuilt } from '../../shared/http/lambda.js'
import { gitUploadRoutes } from '../../shared/routes/index.js'

// TODO(#6): every route of this group answers 501 not_implemented until its issue lands.
export const handler = lambda(gitUploadRoutes, {
  createGitUpload: notBuilt,
  getGitUpload: notBuilt,
  extendGitUpload: notBuilt,
  releaseGitUpload: notBuilt,
  completeGitUpload: notBuilt,
  gitInfoRefs: notBuilt,
  gitReceivePack: notBuilt,
} satisfies Handlers<typeof gitUploadRoutes>)
