// API keys, shown once.
import { scopes } from '../../grants.js'
import { ApiKeyId, UserId, WorkspaceId } from '../../ids.js'
import * as z from '../../zod.js'
import { withMeta } from '../../zod.js'
import { Name, PageQuery } from './common.js'
import { Timestamp } from './timestamp.js'
import { TimestampInput } from './timestamp-input.js'

export const ApiKeyScope = z.enum(scopes)
export const ApiKey = withMeta(
  z.object({
    id: ApiKeyId,
    name: z.string(),
    scopes: z.array(ApiKeyScope),
    owner: z.object({ type: z.enum(['user', 'workspace']), id: z.union([UserId, WorkspaceId]) }),
    prefix: z.string(),
    expires_at: z.nullable(Timestamp),
    last_used_at: z.nullable(Timestamp),
    revoked_at: z.nullable(Timestamp),
    /** `leaked`: a scan found the key in pushed code and Vega revoked it. */
    revoked_reason: z.nullable(z.enum(['revoked', 'leaked'])),
    created_at: Timestamp,
  }),
  { id: 'ApiKey' },
)
export const CreatedApiKey = withMeta(z.extend(ApiKey, { key: z.string() }), { id: 'CreatedApiKey' })
export const CreateApiKey = z.strictObject({
  name: Name,
  scopes: z.array(ApiKeyScope).check(z.minLength(1)),
  expires_at: z.optional(TimestampInput),
  workspace_id: z.optional(WorkspaceId),
})
export const RevokeApiKey = withMeta(
  z.strictObject({
    sha256: z.optional(z.string().check(z.regex(/^[0-9a-f]{64}$/))),
    key: z.optional(z.string().check(z.maxLength(256))),
  }),
  { description: 'The SHA-256 (hex) of the key, or the key itself' },
)
export const PurgeApiKeys = z.strictObject({ password: z.optional(z.string().check(z.maxLength(1024))) })
export const ApiKeyQuery = z.extend(PageQuery, { workspace_id: z.optional(WorkspaceId) })
export const Purged = z.object({ revoked: z.number().check(z.int()) })
