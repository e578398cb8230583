// Signed-in sessions and their refresh tokens. A refresh token is used once: rotating it writes the next
// one and marks the old one used in one transaction. Presenting a used token again means it was copied,
// so the whole session (every token of its family) is revoked.
import { documents } from '../aws/clients.js'
import { config } from '../config.js'
import { sha256Hex } from '../crypto/api-key-format.js'
import { opaqueToken } from '../crypto/tokens.js'
import { LoginId, newId, UserId } from '../ids.js'
import * as z from '../zod.js'
import { commands, epochSeconds, expired, getItem, isConditionFailure, recordOf, tableName } from './db.js'
import * as keys from './keys.js'

/** A signed-in session: refresh tokens rotate under it; logout or expiry ends it. */
const loginRecord = z.object({
  id: LoginId,
  user_id: UserId,
  created_at: z.string(),
  revoked_at: z.optional(z.string()),
  expires_at_epoch: z.number(),
})

export async function createLogin(userId: UserId): Promise<{ loginId: LoginId; refreshToken: string }> {
  const loginId = newId('login')
  const refreshToken = opaqueToken('vgr_')
  const expiresAt = epochSeconds() + config().REFRESH_TOKEN_TTL_S
  await documents().send(
    new (commands().TransactWriteCommand)({
      TransactItems: [
        {
          Put: {
            TableName: tableName(),
            Item: {
              ...keys.login(loginId),
              id: loginId,
              user_id: userId,
              created_at: new Date().toISOString(),
              expires_at_epoch: expiresAt,
            },
          },
        },
        { Put: { TableName: tableName(), Item: refreshItem(refreshToken, loginId, userId, expiresAt) } },
      ],
    }),
  )
  return { loginId, refreshToken }
}

function refreshItem(token: string, loginId: LoginId, userId: UserId, expiresAt: number) {
  return { ...keys.refreshToken(sha256Hex(token)), login_id: loginId, user_id: userId, expires_at_epoch: expiresAt }
}

export type Rotation =
  | { outcome: 'rotated'; userId: UserId; loginId: LoginId; refreshToken: string }
  | { outcome: 'invalid' }
  | { outcome: 'reused' }

export async function rotateRefreshToken(presented: string): Promise<Rotation> {
  const key = keys.refreshToken(sha256Hex(presented))
  const Item = await getItem(key, { consistent: true })
  if (!Item || expired(Item)) return { outcome: 'invalid' }
  const loginId = Item.login_id as LoginId
  const userId = Item.user_id as UserId
  if (Item.used_at) {
    await revokeLogin(loginId)
    return { outcome: 'reused' }
  }
  const next = opaqueToken('vgr_')
  try {
    await documents().send(
      new (commands().TransactWriteCommand)({
        TransactItems: [
          {
            Update: {
              TableName: tableName(),
              Key: key,
              UpdateExpression: 'SET used_at = :now',
              ConditionExpression: 'attribute_not_exists(used_at)',
              ExpressionAttributeValues: { ':now': new Date().toISOString() },
            },
          },
          {
            ConditionCheck: {
              TableName: tableName(),
              Key: keys.login(loginId),
              ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revoked_at)',
            },
          },
          {
            Put: { TableName: tableName(), Item: refreshItem(next, loginId, userId, Item.expires_at_epoch as number) },
          },
        ],
      }),
    )
  } catch (error) {
    if (!isConditionFailure(error)) throw error
    // Either the session was revoked, or another request rotated this token first: a copy is in use.
    await revokeLogin(loginId)
    return { outcome: 'reused' }
  }
  return { outcome: 'rotated', userId, loginId, refreshToken: next }
}

export async function revokeLogin(loginId: LoginId): Promise<void> {
  await documents()
    .send(
      new (commands().UpdateCommand)({
        TableName: tableName(),
        Key: keys.login(loginId),
        UpdateExpression: 'SET revoked_at = if_not_exists(revoked_at, :now)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':now': new Date().toISOString() },
      }),
    )
    .catch((error) => {
      if (!isConditionFailure(error)) throw error
    })
}

/** An access token is honoured only while its session lives, so logout takes effect at once. */
export async function isLoginActive(loginId: LoginId, userId: UserId): Promise<boolean> {
  const Item = await getItem(keys.login(loginId))
  const login = recordOf(loginRecord, Item)
  return !!login && login.user_id === userId && !login.revoked_at && !expired(login)
}

/** A new member without a password sets one with a setup token, within a week. */
const setupTokenTtlS = 7 * 24 * 3600

/** The item of a new one-time setup token: written with the user it sets up, or on its own. */
export function setupTokenItem(userId: UserId): { token: string; item: Record<string, unknown> } {
  const token = opaqueToken('vgs_')
  const item = {
    ...keys.setupToken(sha256Hex(token)),
    user_id: userId,
    expires_at_epoch: epochSeconds() + setupTokenTtlS,
  }
  return { token, item }
}

export async function issueSetupToken(userId: UserId): Promise<string> {
  const { token, item } = setupTokenItem(userId)
  await documents().send(new (commands().PutCommand)({ TableName: tableName(), Item: item }))
  return token
}

/** The user a live setup token belongs to; the token is spent by the same call. */
export async function consumeSetupToken(token: string): Promise<UserId | undefined> {
  const key = keys.setupToken(sha256Hex(token))
  try {
    const { Attributes } = await documents().send(
      new (commands().UpdateCommand)({
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'SET used_at = :now',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(used_at) AND expires_at_epoch > :epoch',
        ExpressionAttributeValues: { ':now': new Date().toISOString(), ':epoch': epochSeconds() },
        ReturnValues: 'ALL_NEW',
      }),
    )
    return Attributes ? recordOf(UserId, Attributes.user_id) : undefined
  } catch (error) {
    if (isConditionFailure(error)) return undefined
    throw error
  }
}
