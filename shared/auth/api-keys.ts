// API keys as the routes see them: who may create, list, delete, revoke and purge which keys.
// A key the caller may not manage is 404, like one that does not exist.

import { sha256Hex } from '../crypto/api-key-format.js'
import { verifyPassword } from '../crypto/passwords.js'
import {
  type ApiKeyRecord,
  createApiKey,
  deleteApiKey,
  findApiKeyById,
  findApiKeyBySha256,
  type KeyOwner,
  listApiKeys,
  revokeApiKey,
  revokePersonalKeys,
} from '../data/api-keys.js'
import type { Page, PageRequest } from '../data/db.js'
import { getUser } from '../data/users.js'
import type { Scope } from '../grants.js'
import { forbidden, notFound, unauthorized, validationFailed } from '../http/errors.js'
import type { ApiKeyId, WorkspaceId } from '../ids.js'
import { apiKeyRevoked } from '../webhooks/emit.js'
import { requireRole } from './authorize.js'
import { type Actor, userOf } from './principal.js'

export const toApiKey = (record: ApiKeyRecord) => ({
  id: record.id,
  name: record.name,
  scopes: record.scopes,
  owner: record.owner,
  prefix: record.prefix,
  expires_at: record.expires_at,
  last_used_at: record.last_used_at,
  revoked_at: record.revoked_at,
  revoked_reason: record.revoked_at ? (record.revoked_reason ?? 'revoked') : null,
  created_at: record.created_at,
})

const personalOwner = (actor: Actor): KeyOwner => {
  const user = userOf(actor)
  if (!user) throw forbidden('A workspace API key has no personal keys; pass workspace_id')
  return { type: 'user', id: user }
}

export async function list(
  actor: Actor,
  workspace: WorkspaceId | undefined,
  page: PageRequest,
): Promise<Page<ReturnType<typeof toApiKey>>> {
  const owner = workspace ? workspace : personalOwner(actor).id
  if (workspace) await requireRole(actor, workspace, 'admin')
  const keys = await listApiKeys(owner, page)
  return { items: keys.items.map(toApiKey), lastKey: keys.lastKey }
}

export async function create(
  actor: Actor,
  input: { name: string; scopes: Scope[]; expires_at?: string; workspace_id?: WorkspaceId },
) {
  if (input.expires_at && Date.parse(input.expires_at) <= Date.now()) {
    throw validationFailed([{ path: 'body.expires_at', message: 'must be in the future' }])
  }
  const createdBy = personalOwner(actor).id
  const owner: KeyOwner = input.workspace_id
    ? { type: 'workspace', id: input.workspace_id }
    : { type: 'user', id: createdBy }
  if (input.workspace_id) await requireRole(actor, input.workspace_id, 'admin')
  const { record, secret } = await createApiKey({
    name: input.name,
    scopes: input.scopes,
    owner,
    createdBy,
    expiresAt: input.expires_at,
  })
  return { ...toApiKey(record), key: secret }
}

/** Whether the actor manages the key: its owning user, or an admin of its owning workspace. */
async function manages(actor: Actor, key: ApiKeyRecord): Promise<boolean> {
  if (key.owner.type === 'user') return userOf(actor) === key.owner.id
  await requireRole(actor, key.owner.id, 'admin', () => notFound('API key', key.id))
  return true
}

export async function remove(actor: Actor, id: ApiKeyId) {
  const key = await findApiKeyById(id)
  if (!key || !(await manages(actor, key))) throw notFound('API key', id)
  await deleteApiKey(key.sha256)
}

/** Revokes by SHA-256 (its manager, or the key itself, may) or by the key itself (holding it is enough). */
export async function revoke(actor: Actor, input: { sha256?: string; key?: string }) {
  if (!input.sha256 === !input.key) {
    throw validationFailed([{ path: 'body', message: 'send exactly one of sha256 and key' }])
  }
  const sha256 = input.sha256 ?? sha256Hex(input.key!)
  const key = await findApiKeyBySha256(sha256)
  const itself = !!input.key || (actor.kind === 'key' && actor.sha256 === sha256)
  if (!key || !(itself || (await manages(actor, key))))
    throw notFound('API key', `with SHA-256 ${sha256.slice(0, 12)}…`)
  if (await revokeApiKey(sha256)) await apiKeyRevoked(key, { reason: 'revoked', at: new Date().toISOString() })
}

/** All of the caller's personal keys, at once. A key alone may not do it: the password must come along. */
export async function purge(actor: Actor, password: string | undefined) {
  const owner = personalOwner(actor)
  if (actor.kind === 'key') {
    const user = await getUser(owner.id)
    if (password === undefined || !user?.password_hash || !(await verifyPassword(password, user.password_hash))) {
      throw unauthorized('Purging keys with an API key needs the account password as well')
    }
  }
  const revoked = await revokePersonalKeys(owner.id)
  const at = new Date().toISOString()
  for (const key of revoked) await apiKeyRevoked(key, { reason: 'revoked', at })
  return { revoked: revoked.length }
}
