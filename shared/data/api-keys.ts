// API keys, stored by the SHA-256 of their secret (the secret itself is never stored).
import { documents } from '../aws/clients.js'
import { displayPrefix, newApiKey, sha256Hex } from '../crypto/api-key-format.js'
import { type Scope, scopes } from '../grants.js'
import { ApiKeyId, newId, UserId, WorkspaceId } from '../ids.js'
import * as z from '../zod.js'
import {
  commands,
  getRecord,
  type Page,
  type PageRequest,
  queryRecords,
  recordOf,
  tableName,
  under,
  updateIf,
} from './db.js'
import * as keys from './keys.js'

const keyOwner = z.discriminatedUnion('type', [
  z.object({ type: z.literal('user'), id: UserId }),
  z.object({ type: z.literal('workspace'), id: WorkspaceId }),
])
export type KeyOwner = z.infer<typeof keyOwner>

/** An API key as stored: its SHA-256, never the key. */
export const apiKeyRecord = z.object({
  id: ApiKeyId,
  sha256: z.string(),
  name: z.string(),
  scopes: z.array(z.enum(scopes)),
  owner: keyOwner,
  prefix: z.string(),
  created_by: UserId,
  expires_at: z.nullable(z.string()),
  last_used_at: z.nullable(z.string()),
  revoked_at: z.nullable(z.string()),
  /** Why: its owner (or an admin) revoked it, or a scan found it in pushed code. */
  revoked_reason: z.optional(z.enum(['revoked', 'leaked'])),
  created_at: z.string(),
})
export type ApiKeyRecord = z.infer<typeof apiKeyRecord>

/** last_used_at is written at most this often, so a busy key does not cost a write per request. */
const lastUsedResolutionMs = 60_000

export async function createApiKey(input: {
  name: string
  scopes: Scope[]
  owner: KeyOwner
  createdBy: UserId
  expiresAt?: string
}): Promise<{ record: ApiKeyRecord; secret: string }> {
  const secret = newApiKey()
  const record: ApiKeyRecord = {
    id: newId('apiKey'),
    sha256: sha256Hex(secret),
    name: input.name,
    scopes: [...new Set(input.scopes)],
    owner: input.owner,
    prefix: displayPrefix(secret),
    created_by: input.createdBy,
    expires_at: input.expiresAt ?? null,
    last_used_at: null,
    revoked_at: null,
    created_at: new Date().toISOString(),
  }
  await documents().send(
    new (commands().PutCommand)({
      TableName: tableName(),
      Item: { ...keys.apiKey(record.sha256, record.id, record.owner.id), ...record },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  )
  return { record, secret }
}

export async function findApiKeyBySha256(sha256: string): Promise<ApiKeyRecord | undefined> {
  return getRecord(apiKeyRecord, keys.apiKeyBySecret(sha256))
}

export async function findApiKeyById(id: ApiKeyId): Promise<ApiKeyRecord | undefined> {
  const { gsi2pk, gsi2sk } = keys.apiKeyById(id)
  const { Items = [] } = await documents().send(
    new (commands().QueryCommand)({
      TableName: tableName(),
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk = :sk',
      ExpressionAttributeValues: { ':pk': gsi2pk, ':sk': gsi2sk },
    }),
  )
  return recordOf(apiKeyRecord, Items[0])
}

export async function listApiKeys(owner: UserId | WorkspaceId, page: PageRequest): Promise<Page<ApiKeyRecord>> {
  return queryRecords(apiKeyRecord, { ...under(keys.apiKeysOf(owner)), page, newestFirst: true })
}

/** Marks a key revoked; true when this call revoked it, false when it already was. */
export async function revokeApiKey(sha256: string, reason: 'revoked' | 'leaked' = 'revoked'): Promise<boolean> {
  return updateIf({
    Key: keys.apiKeyBySecret(sha256),
    UpdateExpression: 'SET revoked_at = :now, revoked_reason = :reason',
    ConditionExpression: 'attribute_exists(pk) AND revoked_at = :null',
    ExpressionAttributeValues: { ':now': new Date().toISOString(), ':null': null, ':reason': reason },
  })
}

export async function deleteApiKey(sha256: string): Promise<void> {
  await documents().send(new (commands().DeleteCommand)({ TableName: tableName(), Key: keys.apiKeyBySecret(sha256) }))
}

export async function touchApiKey(key: ApiKeyRecord, now = Date.now()): Promise<void> {
  if (key.last_used_at && now - Date.parse(key.last_used_at) < lastUsedResolutionMs) return
  await updateIf({
    Key: keys.apiKeyBySecret(key.sha256),
    UpdateExpression: 'SET last_used_at = :now',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':now': new Date(now).toISOString() },
  })
}

/** Revokes every live personal key of a user; the keys this call revoked. */
export async function revokePersonalKeys(user: UserId): Promise<ApiKeyRecord[]> {
  const revoked: ApiKeyRecord[] = []
  let startKey: Page<ApiKeyRecord>['lastKey']
  do {
    const page = await listApiKeys(user, { limit: 100, startKey })
    for (const key of page.items) if (!key.revoked_at && (await revokeApiKey(key.sha256))) revoked.push(key)
    startKey = page.lastKey
  } while (startKey)
  return revoked
}
