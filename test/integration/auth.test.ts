import { randomBytes } from 'node:crypto'
import { SignJWT, UnsecuredJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { handler as auth } from '../../functions/auth/handler.js'
import { handler as workspaces } from '../../functions/workspaces/handler.js'
import { signingKey } from '../../shared/crypto/secret.js'
import { ErrorEnvelope } from '../../shared/http/envelope-schema.js'
import { Tokens, User } from '../../shared/routes/schemas/auth.js'
import { call, newOwner } from '../support/identity.js'
import type { Answer } from '../support/invoke.js'

const me = (token: string) => call(auth, 'GET', '/v1/auth/me', { as: token })

function expectError(answer: Answer, status: number, code: string) {
  expect(answer.status).toBe(status)
  expect(ErrorEnvelope.parse(answer.json).error.code).toBe(code)
}

describe('POST /v1/auth/login', () => {
  it('answers Bearer tokens for the right email and password, the email in any case', async () => {
    const person = await newOwner()

    const answer = await call(auth, 'POST', '/v1/auth/login', {
      body: { email: person.email.toUpperCase(), password: person.password },
    })

    expect(answer.status).toBe(200)
    const tokens = Tokens.parse(answer.json)
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 900 })
    expect(tokens.refresh_token).toMatch(/^vgr_[\w-]{43}$/)
    expect((await me(tokens.access_token)).status).toBe(200)
  })

  it('answers the same 401 to a wrong password and to an unknown email', async () => {
    const person = await newOwner()

    const wrong = await call(auth, 'POST', '/v1/auth/login', { body: { email: person.email, password: 'not-it' } })
    const unknown = await call(auth, 'POST', '/v1/auth/login', {
      body: { email: `nobody-${Date.now()}@example.com`, password: 'not-it' },
    })

    expectError(wrong, 401, 'unauthorized')
    expectError(unknown, 401, 'unauthorized')
    expect(wrong.json.error.message).toBe(unknown.json.error.message)
  })

  it('refuses a body without a valid email with 422, naming the field', async () => {
    const answer = await call(auth, 'POST', '/v1/auth/login', { body: { email: 'not-an-email', password: 'x' } })

    expectError(answer, 422, 'validation_failed')
    expect(answer.json.error.details.issues[0].path).toBe('body.email')
  })
})

describe('GET /v1/auth/me', () => {
  it('returns the user, their memberships and that they came with a token', async () => {
    const person = await newOwner()

    const answer = await me(person.token)

    expect(User.parse(answer.json)).toEqual({
      id: person.userId,
      email: person.email,
      name: 'owner',
      memberships: [{ workspace_id: person.workspaceId, role: 'owner' }],
      auth: 'token',
    })
    expect(Number(answer.headers['x-ratelimit-remaining'])).toBeLessThan(Number(answer.headers['x-ratelimit-limit']))
    expect(Number(answer.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000)
  })

  it('answers 401 without credentials, and with a non-Bearer scheme', async () => {
    expectError(await call(auth, 'GET', '/v1/auth/me'), 401, 'unauthorized')
    expectError(
      await call(auth, 'GET', '/v1/auth/me', { headers: { authorization: 'Basic dXNlcjpwYXNz' } }),
      401,
      'unauthorized',
    )
  })

  it('answers 401 to a malformed, tampered, expired, foreign-key or alg:none token', async () => {
    const person = await newOwner()
    const [header, payload, signature] = person.token.split('.') as [string, string, string]
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString())
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'usr_01JABCDEFGHJKMNPQRSTVWXYZ0' })).toString(
      'base64url',
    )
    const sign = (key: Uint8Array, exp: number) =>
      new SignJWT({ sid: claims.sid })
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
        .setIssuer('vega')
        .setAudience('vega-api')
        .setSubject(person.userId)
        .setIssuedAt(exp - 900)
        .setExpirationTime(exp)
        .sign(key)
    const now = Math.floor(Date.now() / 1000)

    const tokens = {
      malformed: 'not.a.jwt',
      tampered: `${header}.${forged}.${signature}`,
      expired: await sign(await signingKey(), now - 60),
      foreignKey: await sign(randomBytes(48), now + 600),
      algNone: new UnsecuredJWT({ sid: claims.sid })
        .setIssuer('vega')
        .setAudience('vega-api')
        .setSubject(person.userId)
        .setIssuedAt()
        .setExpirationTime('10m')
        .encode(),
    }

    for (const [kind, token] of Object.entries(tokens)) {
      const answer = await me(token)
      expect(answer.status, kind).toBe(401)
      expect(answer.json.error.code, kind).toBe('unauthorized')
    }
    expect((await me(await sign(await signingKey(), now + 600))).status).toBe(200)
  })
})

describe('refresh and logout', () => {
  it('rotates the refresh token on every use', async () => {
    const person = await newOwner()

    const first = await call(auth, 'POST', '/v1/auth/refresh', { body: { refresh_token: person.refreshToken } })
    const second = await call(auth, 'POST', '/v1/auth/refresh', { body: { refresh_token: first.json.refresh_token } })

    expect(first.status).toBe(200)
    expect(second.status).toBe(200)
    expect(new Set([person.refreshToken, first.json.refresh_token, second.json.refresh_token]).size).toBe(3)
    expect((await me(second.json.access_token)).status).toBe(200)
  })

  it('revokes the whole session when a rotated refresh token is used again', async () => {
    const person = await newOwner()
    const rotated = await call(auth, 'POST', '/v1/auth/refresh', { body: { refresh_token: person.refreshToken } })

    const reuse = await call(auth, 'POST', '/v1/auth/refresh', { body: { refresh_token: person.refreshToken } })

    expectError(reuse, 401, 'unauthorized')
    expect(reuse.json.error.message).toContain('revoked')
    expectError(
      await call(auth, 'POST', '/v1/auth/refresh', { body: { refresh_token: rotated.json.refresh_token } }),
      401,
      'unauthorized',
    )
    expectError(await me(rotated.json.access_token), 401, 'unauthorized')
    expectError(await me(person.token), 401, 'unauthorized')
  })

  it('answers 401 to an unknown refresh token', async () => {
    const answer = await call(auth, 'POST', '/v1/auth/refresh', { body: { refresh_token: `vgr_${'x'.repeat(43)}` } })

    expectError(answer, 401, 'unauthorized')
  })

  it('ends the session at logout: its access token and its refresh token stop working at once', async () => {
    const person = await newOwner()

    const answer = await call(auth, 'POST', '/v1/auth/logout', { as: person.token })

    expect(answer.status).toBe(204)
    expectError(await me(person.token), 401, 'unauthorized')
    expectError(
      await call(auth, 'POST', '/v1/auth/refresh', { body: { refresh_token: person.refreshToken } }),
      401,
      'unauthorized',
    )
  })
})

describe('POST /v1/auth/password', () => {
  it('lets a new member set a password with the one-time setup token, then sign in', async () => {
    const owner = await newOwner()
    const email = `new-${Date.now()}@example.com`
    const added = await call(workspaces, 'POST', `/v1/workspaces/${owner.workspaceId}/members`, {
      as: owner.token,
      body: { email, role: 'member' },
    })
    const setupToken = added.json.setup_token as string

    const set = await call(auth, 'POST', '/v1/auth/password', {
      body: { setup_token: setupToken, new_password: 'a-new-long-password' },
    })
    const again = await call(auth, 'POST', '/v1/auth/password', {
      body: { setup_token: setupToken, new_password: 'another-long-password' },
    })
    const signedIn = await call(auth, 'POST', '/v1/auth/login', { body: { email, password: 'a-new-long-password' } })

    expect(added.status).toBe(201)
    expect(setupToken).toMatch(/^vgs_/)
    expect(set.status).toBe(204)
    expectError(again, 401, 'unauthorized')
    expect(signedIn.status).toBe(200)
  })

  it('changes a password with the old one, only for a signed-in user', async () => {
    const person = await newOwner()

    const anonymous = await call(auth, 'POST', '/v1/auth/password', {
      body: { old_password: person.password, new_password: 'changed-password-1' },
    })
    const wrongOld = await call(auth, 'POST', '/v1/auth/password', {
      as: person.token,
      body: { old_password: 'nope', new_password: 'changed-password-1' },
    })
    const changed = await call(auth, 'POST', '/v1/auth/password', {
      as: person.token,
      body: { old_password: person.password, new_password: 'changed-password-1' },
    })

    expectError(anonymous, 401, 'unauthorized')
    expectError(wrongOld, 401, 'unauthorized')
    expect(changed.status).toBe(204)
    expect(
      (await call(auth, 'POST', '/v1/auth/login', { body: { email: person.email, password: 'changed-password-1' } }))
        .status,
    ).toBe(200)
  })

  it('refuses a short new password with 422', async () => {
    const answer = await call(auth, 'POST', '/v1/auth/password', {
      body: { setup_token: 'vgs_x', new_password: 'short' },
    })

    expectError(answer, 422, 'validation_failed')
  })
})
