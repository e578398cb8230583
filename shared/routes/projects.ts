// Projects: the groups repositories belong to, their scans and rollups (policies are triage's).
import { ProjectId, WorkspaceId } from '../ids.js'
import * as z from '../zod.js'
import { cascade } from './cascade.js'
import { route } from './route.js'
import { PageQuery, page } from './schemas/common.js'
import { CreateProject, Project, ReplaceProject, Rollup, UpdateProject } from './schemas/projects.js'
import { Scan, ScanQuery } from './schemas/scans.js'

/** A project in the path. */
const project = z.object({ id: ProjectId })

export const projectRoutes = {
  listProjects: route({
    group: 'projects',
    method: 'GET',
    path: '/v1/projects',
    summary: 'Projects the caller can see',
    auth: 'user',
    query: z.extend(PageQuery, { workspace_id: z.optional(WorkspaceId) }),
    ok: page(Project),
  }),
  createProject: route({
    group: 'projects',
    method: 'POST',
    path: '/v1/projects',
    summary: "Create a project (in the caller's default workspace unless workspace_id says otherwise)",
    auth: 'user',
    role: 'member',
    body: CreateProject,
    ok: Project,
    status: 201,
    location: { route: 'getProject' },
    errors: ['conflict'],
    idempotent: true,
  }),
  getProject: route({
    group: 'projects',
    method: 'GET',
    path: '/v1/projects/{id}',
    summary: 'One project with its repository count',
    auth: 'user',
    role: 'viewer',
    params: project,
    ok: Project,
  }),
  updateProject: route({
    group: 'projects',
    method: 'PATCH',
    path: '/v1/projects/{id}',
    summary: 'Change some fields of a project',
    auth: 'user',
    role: 'member',
    params: project,
    body: UpdateProject,
    ok: Project,
    errors: ['conflict'],
  }),
  replaceProject: route({
    group: 'projects',
    method: 'PUT',
    path: '/v1/projects/{id}',
    summary: 'Replace a project (as the original Vega does)',
    auth: 'user',
    role: 'member',
    params: project,
    body: ReplaceProject,
    ok: Project,
    errors: ['conflict'],
  }),
  deleteProject: route({
    group: 'projects',
    method: 'DELETE',
    path: '/v1/projects/{id}',
    summary: 'Delete a project; one with repositories needs ?cascade=true',
    description:
      'A cascade over more than 20 repositories runs in the background: the answer is then 202 with ' +
      '`{id, status: "deleting", repositories, background: true}`, and the project reads as gone at once.',
    auth: 'user',
    role: 'admin',
    params: project,
    query: cascade,
    status: 204,
    errors: ['conflict'],
  }),
  listProjectScans: route({
    group: 'projects',
    method: 'GET',
    path: '/v1/projects/{id}/scans',
    summary: "Scans across the project's repositories, newest first",
    auth: 'user',
    role: 'viewer',
    params: project,
    query: ScanQuery,
    ok: page(Scan),
  }),
  getProjectRollup: route({
    group: 'projects',
    method: 'GET',
    path: '/v1/projects/{id}/rollup',
    summary: 'Per repository the last scan and open findings by severity, and totals',
    auth: 'user',
    role: 'viewer',
    params: project,
    ok: Rollup,
  }),
} as const
