// API keys: personal and workspace-owned.
import { ApiKeyId } from '../ids.js'
import * as z from '../zod.js'
import { route } from './route.js'
import {
  ApiKey,
  ApiKeyQuery,
  CreateApiKey,
  CreatedApiKey,
  PurgeApiKeys,
  Purged,
  RevokeApiKey,
} from './schemas/api-keys.js'
import { page } from './schemas/common.js'

export const apiKeyRoutes = {
  listApiKeys: route({
    group: 'api-keys',
    method: 'GET',
    path: '/v1/api-keys',
    summary: "The caller's personal API keys, or a workspace's with ?workspace_id= (never the secret)",
    auth: 'user',
    query: ApiKeyQuery,
    ok: page(ApiKey),
  }),
  createApiKey: route({
    group: 'api-keys',
    method: 'POST',
    path: '/v1/api-keys',
    summary: 'Create a key; its secret is shown once, in this answer',
    auth: 'user',
    apiKeys: false,
    body: CreateApiKey,
    ok: CreatedApiKey,
    status: 201,
    location: { route: 'listApiKeys' },
    // Not idempotent on purpose: a replay would have to keep the secret, and Vega keeps only hashes.
  }),
  deleteApiKey: route({
    group: 'api-keys',
    method: 'DELETE',
    path: '/v1/api-keys/{id}',
    summary: 'Delete a key',
    auth: 'user',
    apiKeys: false,
    params: z.object({ id: ApiKeyId }),
    status: 204,
  }),
  revokeApiKey: route({
    group: 'api-keys',
    method: 'POST',
    path: '/v1/api-keys/revoke',
    summary: 'Revoke a key by its SHA-256 (its owner, or the key itself, may)',
    auth: 'user',
    // Any key may revoke itself, whatever its scopes: revoking only ever takes access away.
    scope: 'any',
    body: RevokeApiKey,
    status: 204,
  }),
  purgeApiKeys: route({
    group: 'api-keys',
    method: 'POST',
    path: '/v1/api-keys/purge',
    summary: "Revoke all of the caller's personal keys (needs the password or a user token, not a key)",
    auth: 'user',
    // Revoking only takes access away; a key alone still cannot, the password must come along.
    scope: 'any',
    body: PurgeApiKeys,
    ok: Purged,
  }),
} as const
