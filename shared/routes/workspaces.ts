// Workspaces and their members.
import { UserId, WorkspaceId } from '../ids.js'
import * as z from '../zod.js'
import { route } from './route.js'
import { PageQuery, page } from './schemas/common.js'
import { AddedMember, AddMember, Member, UpdateMember, Workspace } from './schemas/workspaces.js'

/** A workspace in the path. */
const workspace = z.object({ id: WorkspaceId })
/** A workspace's member in the path. */
const member = z.object({ id: WorkspaceId, userId: UserId })

export const workspaceRoutes = {
  listWorkspaces: route({
    group: 'workspaces',
    method: 'GET',
    path: '/v1/workspaces',
    summary: "The caller's workspaces with their role in each",
    auth: 'user',
    query: PageQuery,
    ok: page(Workspace),
  }),
  getWorkspace: route({
    group: 'workspaces',
    method: 'GET',
    path: '/v1/workspaces/{id}',
    actsOn: 'workspace',
    summary: 'One workspace',
    auth: 'user',
    role: 'viewer',
    params: workspace,
    ok: Workspace,
  }),
  listMembers: route({
    group: 'workspaces',
    method: 'GET',
    path: '/v1/workspaces/{id}/members',
    actsOn: 'workspace',
    summary: 'Members of a workspace and their roles',
    auth: 'user',
    role: 'viewer',
    params: workspace,
    query: PageQuery,
    ok: page(Member),
  }),
  addMember: route({
    group: 'workspaces',
    method: 'POST',
    path: '/v1/workspaces/{id}/members',
    actsOn: 'workspace',
    summary: 'Add a member (a new user gets a one-time password-setup token)',
    auth: 'user',
    apiKeys: false,
    role: 'admin',
    params: workspace,
    body: AddMember,
    ok: AddedMember,
    status: 201,
    location: { route: 'listMembers' },
    idempotent: true,
    shownOnce: ['setup_token'],
    errors: ['conflict'],
  }),
  updateMember: route({
    group: 'workspaces',
    method: 'PATCH',
    path: '/v1/workspaces/{id}/members/{userId}',
    actsOn: 'workspace',
    summary: "Change a member's role",
    auth: 'user',
    apiKeys: false,
    role: 'admin',
    params: member,
    body: UpdateMember,
    ok: Member,
    errors: ['conflict'],
  }),
  removeMember: route({
    group: 'workspaces',
    method: 'DELETE',
    path: '/v1/workspaces/{id}/members/{userId}',
    actsOn: 'workspace',
    summary: 'Remove a member',
    auth: 'user',
    apiKeys: false,
    role: 'admin',
    params: member,
    status: 204,
    errors: ['conflict'],
  }),
} as const
