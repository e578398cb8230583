// The route table: every route of DESIGN.md, once. No other file spells a path. One file per group,
// named as its function's folder: `/v1/git-uploads/…` → routes/git-uploads.ts → functions/git-uploads/.

import { apiKeyRoutes } from './api-keys.js'
import { authRoutes } from './auth.js'
import { billingRoutes } from './billing.js'
import { docsRoutes } from './docs.js'
import { gitUploadRoutes } from './git-uploads.js'
import { healthRoutes } from './health.js'
import { opsRoutes } from './ops.js'
import { overviewRoutes } from './overview.js'
import { projectRoutes } from './projects.js'
import { repositoryRoutes } from './repositories.js'
import type { Group, RouteSpec } from './route.js'
import { sessionRoutes } from './sessions.js'
import { triageRoutes } from './triage.js'
import { webhookRoutes } from './webhooks.js'
import { workspaceRoutes } from './workspaces.js'

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
  ...webhookRoutes,
  ...overviewRoutes,
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
  overviewRoutes,
  projectRoutes,
  repositoryRoutes,
  sessionRoutes,
  triageRoutes,
  webhookRoutes,
  workspaceRoutes,
}
