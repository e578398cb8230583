// The API reference: OpenAPI, the docs page and the deprecation list.
import * as z from '../zod.js'
import { route } from './route.js'
import { page } from './schemas/common.js'
import { Deprecation } from './schemas/docs.js'

export const docsRoutes = {
  getOpenApi: route({
    group: 'docs',
    method: 'GET',
    path: '/v1/openapi.json',
    summary: 'The OpenAPI 3.1 document, generated from the route table',
    auth: 'none',
    produces: 'application/json',
  }),
  getDocs: route({
    group: 'docs',
    method: 'GET',
    path: '/v1/docs',
    summary: 'Interactive API reference (Swagger UI, served by Vega itself)',
    auth: 'none',
    produces: 'text/html',
  }),
  getDocsAsset: route({
    group: 'docs',
    method: 'GET',
    path: '/v1/docs/{asset}',
    summary: 'A static asset of the interactive reference',
    auth: 'none',
    params: z.object({ asset: z.string().check(z.maxLength(64)) }),
    produces: 'application/octet-stream',
  }),
  listDeprecations: route({
    group: 'docs',
    method: 'GET',
    path: '/v1/deprecations',
    summary: 'What is deprecated, when it goes, and what replaces it',
    auth: 'none',
    // The list envelope every list has; the whole list fits one page, so next_cursor is always null.
    ok: page(Deprecation),
  }),
} as const
