// Who may read billing and run operations (docs/billing.md "Who may"): a workspace's owners and admins
// (signed in, or through a personal key with the route's scope), and a workspace key that carries the
// route's scope (`billing` or `ops`): what a dashboard or an operator's job uses. Members and viewers
// may not. Another workspace is 404, as everywhere.
import { type Access, defaultWorkspace } from '../catalog/access.js'
import { notFound } from '../http/errors.js'
import type { WorkspaceId } from '../ids.js'

/** The workspace a billing or ops request is about, once the caller may act on it. */
export async function workspaceFor(access: Access, asked?: WorkspaceId): Promise<WorkspaceId> {
  const workspace = asked ?? (await defaultWorkspace(access.actor))
  // A workspace key acts only in its own workspace, with the role its route's scope grants (`scopeGrants`).
  await access.authorize(workspace, () => notFound('Workspace', workspace))
  return workspace
}
