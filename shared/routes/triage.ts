// Dismissal requests, SARIF import and policies.
import { DismissalRequestId, ProjectId, RepositoryId, WorkspaceId } from '../ids.js'
import * as z from '../zod.js'
import { route } from './route.js'
import { page } from './schemas/common.js'
import {
  Decision,
  DismissalQuery,
  DismissalRequest,
  Policy,
  PolicyAnswer,
  SarifImport,
  SarifImported,
} from './schemas/triage.js'
import { largeJsonBytes } from './shared.js'

/** A dismissal request in the path. */
const dismissal = z.object({ id: DismissalRequestId })

/** An admin's decision on a dismissal request: approve and deny differ only in the verb. */
const decideDismissal = (verb: 'approve' | 'deny') =>
  route({
    group: 'triage',
    method: 'POST',
    path: `/v1/dismissal-requests/{id}/${verb}`,
    summary: `${verb === 'approve' ? 'Approve' : 'Deny'} a dismissal request`,
    auth: 'user',
    scope: 'triage',
    role: 'admin',
    params: dismissal,
    body: Decision,
    ok: DismissalRequest,
    errors: ['conflict', 'gone'],
  })

export const triageRoutes = {
  listDismissalRequests: route({
    group: 'triage',
    method: 'GET',
    path: '/v1/dismissal-requests',
    summary: 'Dismissal requests awaiting (or past) an admin decision',
    description: "Of the workspace named by workspace_id, else the caller's first workspace. Members and above.",
    auth: 'user',
    role: 'member',
    query: DismissalQuery,
    ok: page(DismissalRequest),
  }),
  approveDismissal: decideDismissal('approve'),
  denyDismissal: decideDismissal('deny'),
  importSarif: route({
    group: 'triage',
    method: 'POST',
    path: '/v1/repositories/{id}/sarif',
    summary: "Import a third-party tool's SARIF 2.1.0 as findings",
    auth: 'user',
    scope: 'triage',
    role: 'member',
    params: z.object({ id: RepositoryId }),
    body: SarifImport,
    ok: SarifImported,
    status: 201,
    location: { route: 'getScan', path: '/v1/repositories/{id}/scans/{scanId}', id: 'scan_id' },
    errors: ['payload_too_large', 'quota_exceeded'],
    maxBodyBytes: largeJsonBytes,
    idempotent: true,
  }),
  getWorkspacePolicy: route({
    group: 'triage',
    method: 'GET',
    path: '/v1/workspaces/{id}/policy',
    actsOn: 'workspace',
    summary: "The workspace's scan policy (the CI gate)",
    auth: 'user',
    role: 'viewer',
    params: z.object({ id: WorkspaceId }),
    ok: PolicyAnswer,
  }),
  putWorkspacePolicy: route({
    group: 'triage',
    method: 'PUT',
    path: '/v1/workspaces/{id}/policy',
    actsOn: 'workspace',
    summary: "Replace the workspace's scan policy",
    auth: 'user',
    scope: 'triage',
    role: 'admin',
    params: z.object({ id: WorkspaceId }),
    body: Policy,
    ok: PolicyAnswer,
  }),
  getProjectPolicy: route({
    group: 'triage',
    method: 'GET',
    path: '/v1/projects/{id}/policy',
    summary: "The project's scan policy (overrides the workspace's)",
    auth: 'user',
    role: 'viewer',
    params: z.object({ id: ProjectId }),
    ok: PolicyAnswer,
  }),
  putProjectPolicy: route({
    group: 'triage',
    method: 'PUT',
    path: '/v1/projects/{id}/policy',
    summary: "Replace the project's scan policy",
    auth: 'user',
    scope: 'triage',
    role: 'admin',
    params: z.object({ id: ProjectId }),
    body: Policy,
    ok: PolicyAnswer,
  }),
} as const
