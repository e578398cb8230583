// Who is calling, resolved once per request from `Authorization: Bearer <access token | API key>` or
// `private-token: <API key>`. Anything presented and not valid is 401: a wrong credential is never
// treated as no credential.

import { isWellFormedApiKey, sha256Hex } from '../crypto/api-key-format.js'
import { looksLikeJwt, verifyAccessToken } from '../crypto/tokens.js'
import { findApiKeyBySha256, type KeyOwner, touchApiKey } from '../data/api-keys.js'
import { isLoginActive } from '../data/logins.js'
import type { Scope } from '../grants.js'
import { badRequest, unauthorized } from '../http/errors.js'
import type { ApiKeyId, LoginId, UserId } from '../ids.js'

export type Actor =
  | { kind: 'user'; userId: UserId; loginId: LoginId; via: 'token' }
  | { kind: 'key'; keyId: ApiKeyId; sha256: string; scopes: Scope[]; owner: KeyOwner; via: 'api_key' }

/** The user an actor acts for: itself, or the owner of a personal key; undefined for a workspace key. */
export const userOf = (actor: Actor): UserId | undefined =>
  actor.kind === 'user' ? actor.userId : actor.owner.type === 'user' ? actor.owner.id : undefined

/** A stable, non-secret name for logs and rate limits. */
export const principalId = (actor: Actor) => (actor.kind === 'user' ? actor.userId : actor.keyId)

/** The credential a request carries, if any: the bearer token or the private-token header. */
export function credentialOf(headers: Record<string, string>): string | undefined {
  const authorization = headers.authorization?.trim()
  const privateToken = headers['private-token']?.trim() || undefined
  // Two different credentials would silently act as one of them: the caller must say which it means.
  if (authorization && privateToken)
    throw badRequest('Send one credential: Authorization: Bearer or Private-Token, not both')
  if (authorization) {
    const [scheme, value, extra] = authorization.split(/\s+/)
    if (scheme?.toLowerCase() !== 'bearer' || !value || extra)
      throw unauthorized('Send credentials as Authorization: Bearer <token or key>')
    return value
  }
  return privateToken
}

/**
 * Checks what can be checked without a read (the token's signature, the key's checksum) and names the
 * subject the rate limit counts; `resolve()` then does the one read that completes the check. The two
 * reads (session or key, and the rate-limit counter) can so run side by side.
 */
export async function prepareActor(credential: string): Promise<{ subject: string; resolve: () => Promise<Actor> }> {
  if (looksLikeJwt(credential)) {
    const claims = await verifyAccessToken(credential)
    if (!claims) throw invalidToken()
    return {
      subject: claims.userId,
      resolve: async () => {
        if (!(await isLoginActive(claims.sessionId, claims.userId))) throw invalidToken()
        return { kind: 'user', userId: claims.userId, loginId: claims.sessionId, via: 'token' }
      },
    }
  }
  // The checksum refuses a mistyped or made-up key without a lookup.
  if (!isWellFormedApiKey(credential))
    throw unauthorized('The credential is neither an access token nor a Vega API key')
  const sha256 = sha256Hex(credential)
  return {
    // A key is counted by its hash, known before the lookup; a made-up key only spends its own budget.
    subject: `key:${sha256.slice(0, 32)}`,
    resolve: async () => {
      const key = await findApiKeyBySha256(sha256)
      if (!key || key.revoked_at || (key.expires_at && Date.parse(key.expires_at) <= Date.now())) {
        throw unauthorized('The API key is unknown, revoked or expired')
      }
      await touchApiKey(key)
      return { kind: 'key', keyId: key.id, sha256, scopes: key.scopes, owner: key.owner, via: 'api_key' }
    },
  }
}

export async function resolveActor(credential: string): Promise<Actor> {
  return (await prepareActor(credential)).resolve()
}

const invalidToken = () => unauthorized('The access token is invalid, expired or revoked; sign in again or refresh it')
