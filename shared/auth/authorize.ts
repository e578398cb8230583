// Authorization in one place: the route table declares the role (and, for keys, the scope) a route
// needs; this module decides. Not being in the workspace is 404 (other tenants do not exist);
// being in it without the role, or calling with a key without the scope, is 403.
import { getMembership } from '../data/workspaces.js'
import type { Role, Scope } from '../grants.js'
import { ApiError, forbidden } from '../http/errors.js'
import type { WorkspaceId } from '../ids.js'
import { type Actor, userOf } from './principal.js'

const rank: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 }
export const atLeast = (role: Role, needed: Role) => rank[role] >= rank[needed]

/** What a workspace-owned key may do in its workspace: a member's work, never administration. */
const workspaceKeyRole: Role = 'member'

/** What a route asks of an API key: a scope (or `any`), or no key at all (`keysAllowed: false`). */
export function requireScope(actor: Actor, needed: Scope | 'any', keysAllowed = true) {
  if (actor.kind === 'user') return
  if (!keysAllowed) throw forbidden('This needs a signed-in user; API keys cannot do it')
  if (needed !== 'any' && !actor.scopes.includes(needed)) throw forbidden(`This API key lacks the ${needed} scope`)
}

/** `keyRole`: what a workspace key may act as here (a route whose scope grants its role), else a member. */
export async function roleIn(
  actor: Actor,
  workspace: WorkspaceId,
  keyRole = workspaceKeyRole,
): Promise<Role | undefined> {
  if (actor.kind === 'key' && actor.owner.type === 'workspace') {
    return actor.owner.id === workspace ? keyRole : undefined
  }
  const user = userOf(actor)
  return user ? (await getMembership(workspace, user))?.role : undefined
}

/**
 * The actor's role in the workspace, if it is at least `needed`. `hidden` is the error to throw when the
 * actor is not in the workspace at all: the 404 of whatever resource the caller asked for.
 */
export async function requireRole(
  actor: Actor,
  workspace: WorkspaceId,
  needed: Role,
  hidden?: () => ApiError,
  keyRole?: Role,
): Promise<Role> {
  const role = await roleIn(actor, workspace, keyRole)
  if (!role) throw hidden?.() ?? new ApiError('not_found', `Workspace ${workspace} not found`)
  if (!atLeast(role, needed)) throw forbidden(`This needs the ${needed} role in the workspace; yours is ${role}`)
  return role
}
