// Signing in and out, and passwords: what the auth routes do, kept out of the handler.

import { hashPassword, verifyPassword } from '../crypto/passwords.js'
import { signAccessToken } from '../crypto/tokens.js'
import { consumeSetupToken, createLogin, revokeLogin, rotateRefreshToken } from '../data/logins.js'
import { findUserByEmail, getUser, listMembershipsOfUser, setPasswordHash } from '../data/users.js'
import { badRequest, forbidden, unauthorized } from '../http/errors.js'
import type { UserId } from '../ids.js'
import { limitLogin, rememberLoginSource } from './limits.js'
import type { Actor } from './principal.js'

/**
 * Verified against when the email is unknown, so a wrong email costs the same time as a wrong password:
 * hashPassword('vega-decoy-password'), written out rather than computed at every cold start, where 32 MiB
 * of scrypt held up the first answer. Its parameters are hashPassword()'s (test/unit/passwords.test.ts).
 */
export const decoyHash = 'scrypt$32768$8$1$0vTx89NrM6bBZN2hq40YOg$K-5Fn5DUpcynWasCL0HvH1-4yCjOQudrehZvww93Beg'
const wrongCredentials = () => unauthorized('The email or the password is wrong')

async function tokensFor(
  userId: UserId,
  loginId: Parameters<typeof signAccessToken>[0]['sessionId'],
  refreshToken: string,
) {
  const access = await signAccessToken({ userId, sessionId: loginId })
  return {
    access_token: access.token,
    refresh_token: refreshToken,
    token_type: 'Bearer' as const,
    expires_in: access.expiresIn,
  }
}

export async function login(email: string, password: string, sourceIp: string) {
  await limitLogin(email, sourceIp)
  const user = await findUserByEmail(email)
  const valid = await verifyPassword(password, user?.password_hash ?? decoyHash)
  if (!user?.password_hash || !valid) throw wrongCredentials()
  await rememberLoginSource(email, sourceIp)
  const { loginId, refreshToken } = await createLogin(user.id)
  return tokensFor(user.id, loginId, refreshToken)
}

export async function refresh(refreshToken: string) {
  const rotation = await rotateRefreshToken(refreshToken)
  if (rotation.outcome === 'reused') {
    throw unauthorized('This refresh token was already used, so the session is revoked; sign in again')
  }
  if (rotation.outcome === 'invalid') throw unauthorized('The refresh token is invalid or expired; sign in again')
  return tokensFor(rotation.userId, rotation.loginId, rotation.refreshToken)
}

export async function logout(actor: Actor) {
  if (actor.kind !== 'user') throw forbidden('Only a signed-in session can sign out')
  await revokeLogin(actor.loginId)
}

export async function me(actor: Actor) {
  const userId = actor.kind === 'user' ? actor.userId : actor.owner.type === 'user' ? actor.owner.id : undefined
  if (!userId) throw forbidden('A workspace API key acts for no user')
  const user = await getUser(userId)
  if (!user) throw unauthorized()
  const memberships = await listMembershipsOfUser(userId)
  return { id: user.id, email: user.email, name: user.name, memberships, auth: actor.via }
}

/** With a setup token (a new member), or with the old password while signed in. */
export async function setPassword(
  input: { new_password: string; setup_token?: string; old_password?: string },
  actor: Actor | undefined,
) {
  if (input.setup_token) {
    const userId = await consumeSetupToken(input.setup_token)
    if (!userId) throw unauthorized('The setup token is invalid, used or expired; ask an admin for a new one')
    await setPasswordHash(userId, await hashPassword(input.new_password))
    return
  }
  if (input.old_password === undefined) throw badRequest('Send setup_token, or old_password while signed in')
  if (actor?.kind !== 'user') throw unauthorized('Changing a password needs a signed-in user (an access token)')
  const user = await getUser(actor.userId)
  if (!user?.password_hash || !(await verifyPassword(input.old_password, user.password_hash))) {
    throw unauthorized('The old password is wrong')
  }
  await setPasswordHash(user.id, await hashPassword(input.new_password))
}
