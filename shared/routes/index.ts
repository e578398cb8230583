// The route table: every route of DESIGN.md, once. No other file spells a path.

import { projectRoutes, repositoryRoutes } from './code.js'
import { apiKeyRoutes, authRoutes, workspaceRoutes } from './identity.js'
import { billingRoutes, gitUploadRoutes, opsRoutes, sessionRoutes, triageRoutes } from './pipeline.js'
import { docsRoutes, healthRoutes } from './platform.js'
import type { Group, RouteSpec } from './route.js'

export const routeTable = {
  ...healthRoutes,
  ...docsRoutes,
  ...authRoutes,
  ...workspaceRoutes,
  ...apiKeyRoutes,
  ...projectRoutes,
  ...repositoryRoutes,
  ...gitUploadRoutes,
  ...triageRoutes,
  ...billingRoutes,
  ...opsRoutes,
  ...sessionRoutes,
} as const
export type RouteId = keyof typeof routeTable

export const routesOf = (group: Group): [string, RouteSpec][] =>
  Object.entries(routeTable).filter(([, spec]) => spec.group === group)

/**
 * API Gateway REST APIs hand every request body to Lambda base64-encoded when binaryMediaTypes is `*\/*`,
 * and decode any answer marked isBase64Encoded. One rule for JSON and the git protocol alike;
 * the local adapter applies the same.
 */
export const binaryMediaTypes = ['*/*'] as const

export { type Group, groups, type Method, type RouteSpec } from './route.js'
export {
  apiKeyRoutes,
  authRoutes,
  billingRoutes,
  docsRoutes,
  gitUploadRoutes,
  healthRoutes,
  opsRoutes,
  projectRoutes,
  repositoryRoutes,
  sessionRoutes,
  triageRoutes,
  workspaceRoutes,
}
