// Access tokens: JWTs signed with HS256 (one service signs and verifies, so a shared secret is enough and
// the fastest choice), typed `at+jwt` (RFC 9068), claims iss=vega, aud=vega-api, sub=user id,
// sid=session id, jti (unique per token), iat, exp (15 minutes by default). Verification accepts HS256 only, so `alg: none` and
// tokens signed with another key or algorithm fail alike.
// Refresh and setup tokens are opaque random strings; only their SHA-256 is stored.
import { randomBytes, randomUUID } from 'node:crypto'
import { errors, jwtVerify, SignJWT } from 'jose'
import { config } from '../config.js'
import type { LoginId, UserId } from '../ids.js'
import { signingKey } from './secret.js'

const issuer = 'vega'
const audience = 'vega-api'
const type = 'at+jwt'

export interface AccessClaims {
  userId: UserId
  sessionId: LoginId
}

export async function signAccessToken(claims: AccessClaims): Promise<{ token: string; expiresIn: number }> {
  const expiresIn = config().ACCESS_TOKEN_TTL_S
  const token = await new SignJWT({ sid: claims.sessionId })
    .setProtectedHeader({ alg: 'HS256', typ: type })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject(claims.userId)
    .setIssuedAt()
    .setJti(randomUUID())
    .setExpirationTime(`${expiresIn}s`)
    .sign(await signingKey())
  return { token, expiresIn }
}

/** The claims of a valid token, or undefined for anything else: malformed, expired, tampered, foreign. */
export async function verifyAccessToken(token: string): Promise<AccessClaims | undefined> {
  try {
    const { payload } = await jwtVerify(token, await signingKey(), {
      algorithms: ['HS256'],
      issuer,
      audience,
      typ: type,
      clockTolerance: 5,
      requiredClaims: ['sub', 'sid', 'exp', 'iat'],
    })
    if (typeof payload.sid !== 'string' || !payload.sub) return undefined
    return { userId: payload.sub as UserId, sessionId: payload.sid as LoginId }
  } catch (error) {
    if (error instanceof errors.JOSEError) return undefined
    throw error
  }
}

export const looksLikeJwt = (value: string) => value.split('.').length === 3

/** An opaque bearer secret: a recognisable prefix and 256 random bits. */
export const opaqueToken = (prefix: 'vgr_' | 'vgs_') => `${prefix}${randomBytes(32).toString('base64url')}`
