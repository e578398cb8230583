// How the services (catalog, findings, billing, ops) meet authorization: every function takes the caller's
// Access and checks the workspace of what it touches, so no query can forget the tenant.
import type { EventActor } from '../data/events.js'
import { listMembershipsOfUser } from '../data/users.js'
import type { Role } from '../grants.js'
import type { ApiError } from '../http/errors.js'
import { forbidden, notFound } from '../http/errors.js'
import type { WorkspaceId } from '../ids.js'
import { type Actor, userOf } from './principal.js'

export interface Access {
  actor: Actor
  /** Checks the route's role in a workspace; throws `hidden()` (a 404) when the caller is not in it. */
  authorize(workspace: WorkspaceId, hidden?: () => ApiError): Promise<Role>
}

/** The workspace a request means when it names none: a workspace key's own, else the user's first. */
export async function defaultWorkspace(actor: Actor): Promise<WorkspaceId> {
  if (actor.kind === 'key' && actor.owner.type === 'workspace') return actor.owner.id
  const user = userOf(actor)
  const [first] = user ? await listMembershipsOfUser(user) : []
  if (!first) throw forbidden('You belong to no workspace yet')
  return first.workspace_id
}

export const eventActor = (actor: Actor): EventActor =>
  actor.kind === 'user' ? { type: 'user', id: actor.userId } : { type: 'api_key', id: actor.keyId }

/**
 * The record, if it exists and the caller holds the route's role in its workspace; else the same 404
 * whether it is missing or another workspace's.
 */
export async function inWorkspace<T extends { workspace_id: WorkspaceId }>(
  access: Access,
  record: T | undefined,
  what: string,
  id: string,
): Promise<T> {
  const hidden = () => notFound(what, id)
  if (!record) throw hidden()
  await access.authorize(record.workspace_id, hidden)
  return record
}

/**
 * The workspace a billing or ops request is about, once the caller may act on it (docs/billing.md "Who
 * may"): owners and admins (signed in, or through a personal key with the route's scope) and a workspace
 * key carrying the route's scope (`billing`, `ops`); not members or viewers. Another workspace is 404.
 */
export async function workspaceFor(access: Access, asked?: WorkspaceId): Promise<WorkspaceId> {
  const workspace = asked ?? (await defaultWorkspace(access.actor))
  // A workspace key acts only in its own workspace, with the role its route's scope grants (`scopeGrants`).
  await access.authorize(workspace, () => notFound('Workspace', workspace))
  return workspace
}
