import { type Handlers, publicLambda } from '../../shared/api/public-lambda.js'
import { deprecations } from '../../shared/deprecations/index.js'
import { notFound } from '../../shared/http/errors.js'
import { Reply } from '../../shared/http/reply.js'
import { docsAsset, docsCsp, docsHtml } from '../../shared/openapi/docs-page.js'
import { openApiJson } from '../../shared/openapi/served.js'
import { docsRoutes } from '../../shared/routes/docs.js'

// The document and the assets change only with a deploy: let clients cache them for a while.
const cacheFor = (seconds: number) => ({ 'cache-control': `public, max-age=${seconds}` })

export const handler = publicLambda(docsRoutes, {
  getOpenApi: async () => Reply.text(await openApiJson(), 'application/json', cacheFor(300)),

  getDocs: () =>
    Reply.text(docsHtml, 'text/html; charset=utf-8', { ...cacheFor(300), 'content-security-policy': docsCsp }),

  getDocsAsset: async ({ params }) => {
    const asset = await docsAsset(params.asset)
    if (!asset) throw notFound('Docs asset', params.asset)
    return Reply.bytes(asset.body, asset.type, cacheFor(86_400))
  },

  listDeprecations: () => ({ items: deprecations, next_cursor: null }),
} satisfies Handlers<typeof docsRoutes>)
