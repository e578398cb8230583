// The rules of membership on top of the data: only an owner makes, unmakes or removes an owner;
// the last owner stays (the data layer's owner count refuses it atomically).
import { atLeast } from '../auth/authorize.js'
import { type Actor, userOf } from '../auth/principal.js'
import type { Page, PageRequest } from '../data/db.js'
import {
  addMember,
  getMembership,
  getWorkspace,
  listWorkspacesOf,
  type MemberRecord,
  removeMember,
  updateMemberRole,
} from '../data/workspaces.js'
import type { Role } from '../grants.js'
import { forbidden, notFound } from '../http/errors.js'
import type { UserId, WorkspaceId } from '../ids.js'

export const toMember = (record: MemberRecord) => ({
  user_id: record.user_id,
  email: record.email,
  name: record.name,
  role: record.role,
  added_at: record.added_at,
})

export async function workspacesOf(
  actor: Actor,
  page: PageRequest,
): Promise<Page<{ id: WorkspaceId; name: string; role: Role; created_at: string }>> {
  const user = userOf(actor)
  if (user) return listWorkspacesOf(user, page)
  // A workspace key sees its own workspace, as a member.
  const workspace = actor.kind === 'key' ? await getWorkspace(actor.owner.id as WorkspaceId) : undefined
  return { items: workspace ? [{ ...workspace, role: 'member' as const }] : [] }
}

export async function describeWorkspace(id: WorkspaceId, role: Role) {
  const workspace = await getWorkspace(id)
  if (!workspace) throw notFound('Workspace', id)
  return { id: workspace.id, name: workspace.name, role, created_at: workspace.created_at }
}

const ownerOnly = () => forbidden('Only an owner can make, change or remove an owner')

export async function add(
  workspace: WorkspaceId,
  callerRole: Role,
  input: { email: string; name?: string; role: Role },
) {
  if (input.role === 'owner' && !atLeast(callerRole, 'owner')) throw ownerOnly()
  const { member, setupToken } = await addMember(workspace, input)
  return { ...toMember(member), setup_token: setupToken }
}

export async function changeRole(workspace: WorkspaceId, callerRole: Role, user: UserId, role: Role) {
  const target = await getMembership(workspace, user)
  if (!target) throw notFound('Member', user)
  if ((target.role === 'owner' || role === 'owner') && !atLeast(callerRole, 'owner')) throw ownerOnly()
  return toMember(await updateMemberRole(workspace, user, role))
}

export async function remove(workspace: WorkspaceId, callerRole: Role, user: UserId) {
  const target = await getMembership(workspace, user)
  if (!target) throw notFound('Member', user)
  if (target.role === 'owner' && !atLeast(callerRole, 'owner')) throw ownerOnly()
  await removeMember(workspace, user)
}
