import { describe, expect, it } from 'vitest'
import { handler as apiKeys } from '../../functions/api-keys/handler.js'
import { handler as auth } from '../../functions/auth/handler.js'
import { handler as workspaces } from '../../functions/workspaces/handler.js'
import { apiKeyPattern, isWellFormedApiKey, newApiKey, sha256Hex } from '../../shared/crypto/api-key-format.js'
import { ApiKey, CreatedApiKey } from '../../shared/routes/schemas/api-keys.js'
import * as z from '../../shared/zod.js'
import { call, newOwner, type Person } from '../support/identity.js'
import { invoke } from '../support/invoke.js'

async function createKey(person: Person, body: Record<string, unknown> = {}) {
  const answer = await call(apiKeys, 'POST', '/v1/api-keys', {
    as: person.token,
    body: { name: 'ci', scopes: ['read'], ...body },
  })
  expect(answer.status).toBe(201)
  return CreatedApiKey.parse(answer.json)
}

/** Asks, with the credential `as`, to revoke the key by its SHA-256. */
const revokeByHash = (as: string, key: string) =>
  call(apiKeys, 'POST', '/v1/api-keys/revoke', { as, body: { sha256: sha256Hex(key) } })

describe('the API key format', () => {
  it('is vgk_ + 30 random + 6 checksum characters, recognised by its pattern and checksum', () => {
    const key = newApiKey()

    expect(key).toMatch(/^vgk_[0-9A-Za-z]{36}$/)
    expect(isWellFormedApiKey(key)).toBe(true)
    expect(`leaked in a file: ${key}!`.match(apiKeyPattern)).toEqual([key])
  })

  it('refuses a key whose checksum does not match, such as a one-character typo', () => {
    const key = newApiKey()
    const typo = `${key.slice(0, 10)}${key[10] === 'a' ? 'b' : 'a'}${key.slice(11)}`

    expect(isWellFormedApiKey(typo)).toBe(false)
  })
})

describe('creating and using keys', () => {
  it('shows the secret once, stores and lists it never, and lists the key with its last use', async () => {
    const person = await newOwner()
    const created = await createKey(person)

    const used = await call(auth, 'GET', '/v1/auth/me', { headers: { 'private-token': created.key } })
    const listed = await call(apiKeys, 'GET', '/v1/api-keys', { as: person.token })

    expect(created.prefix).toBe(created.key.slice(0, 10))
    expect(used.status).toBe(200)
    expect(used.json.auth).toBe('api_key')
    const [key] = listed.json.items
    expect(z.strictObject(ApiKey.shape).parse(key).id).toBe(created.id)
    expect(key.last_used_at).not.toBeNull()
    expect(listed.text).not.toContain(created.key)
    expect(listed.text).not.toContain(sha256Hex(created.key))
  })

  it('refuses two credentials in one request (400), rather than silently acting as one of them', async () => {
    const person = await newOwner()
    const { key } = await createKey(person)

    const answer = await call(auth, 'GET', '/v1/auth/me', { as: person.token, headers: { 'private-token': key } })

    expect(answer.status).toBe(400)
    expect(answer.json.error.code).toBe('bad_request')
    expect(answer.json.error.message).toMatch(/one credential/)
    expect(answer.text).not.toContain(key)
  })

  it('answers an expires_at in the one format of every timestamp, whatever form it was sent in', async () => {
    const person = await newOwner()

    const plain = await createKey(person, { expires_at: '2030-01-01T00:00:00Z' })
    const offset = await createKey(person, { expires_at: '2030-01-01T02:00:00+02:00' })

    expect(plain.expires_at).toBe('2030-01-01T00:00:00.000Z')
    expect(offset.expires_at).toBe('2030-01-01T00:00:00.000Z')
  })

  it('authenticates as Authorization: Bearer too', async () => {
    const person = await newOwner()
    const { key } = await createKey(person)

    const answer = await call(auth, 'GET', '/v1/auth/me', { as: key })

    expect(answer.json.id).toBe(person.userId)
  })

  it('answers 403 when the key lacks the scope, and when the route needs a user', async () => {
    const person = await newOwner()
    const { key } = await createKey(person, { scopes: ['read'] })

    const write = await call(workspaces, 'POST', `/v1/workspaces/${person.workspaceId}/members`, {
      as: key,
      body: { email: 'x@example.com', role: 'viewer' },
    })
    const keyMakingKey = await call(apiKeys, 'POST', '/v1/api-keys', {
      as: key,
      body: { name: 'escalate', scopes: ['ops'] },
    })

    expect(write.status).toBe(403)
    expect(write.json.error.code).toBe('forbidden')
    expect(keyMakingKey.status).toBe(403)
  })

  it('answers 401 to a well-formed key nobody issued, and to one with a bad checksum', async () => {
    const unknown = await call(auth, 'GET', '/v1/auth/me', { as: newApiKey() })
    const badChecksum = await call(auth, 'GET', '/v1/auth/me', { as: `vgk_${'a'.repeat(36)}` })

    expect(unknown.status).toBe(401)
    expect(badChecksum.status).toBe(401)
    expect(badChecksum.json.error.code).toBe('unauthorized')
  })

  it('answers 401 once the key has expired', async () => {
    const person = await newOwner()
    const { key } = await createKey(person, { expires_at: new Date(Date.now() + 1_200).toISOString() })
    expect((await call(auth, 'GET', '/v1/auth/me', { as: key })).status).toBe(200)

    await new Promise((resolve) => setTimeout(resolve, 1_300))

    expect((await call(auth, 'GET', '/v1/auth/me', { as: key })).status).toBe(401)
  })

  it('refuses an expiry in the past with 422', async () => {
    const person = await newOwner()

    const answer = await call(apiKeys, 'POST', '/v1/api-keys', {
      as: person.token,
      body: { name: 'old', scopes: ['read'], expires_at: '2020-01-01T00:00:00.000Z' },
    })

    expect(answer.status).toBe(422)
  })
})

describe('revoking, deleting and purging keys', () => {
  it('revokes by SHA-256: the owner may, and then the key answers 401', async () => {
    const person = await newOwner()
    const { key } = await createKey(person)

    const answer = await revokeByHash(person.token, key)

    expect(answer.status).toBe(204)
    expect((await call(auth, 'GET', '/v1/auth/me', { as: key })).status).toBe(401)
    const listed = await call(apiKeys, 'GET', '/v1/api-keys', { as: person.token })
    expect(listed.json.items[0].revoked_at).not.toBeNull()
  })

  it('lets a key revoke itself, whatever its scopes', async () => {
    const person = await newOwner()
    const { key } = await createKey(person, { scopes: ['billing'] })

    const answer = await revokeByHash(key, key)

    expect(answer.status).toBe(204)
    expect((await call(auth, 'GET', '/v1/auth/me', { as: key })).status).toBe(401)
  })

  it("answers 404 to revoking someone else's key by hash, and leaves it working", async () => {
    const [alice, mallory] = await Promise.all([newOwner('alice'), newOwner('mallory')])
    const { key } = await createKey(alice)

    const answer = await revokeByHash(mallory.token, key)

    expect(answer.status).toBe(404)
    expect((await call(auth, 'GET', '/v1/auth/me', { as: key })).status).toBe(200)
  })

  it('deletes a key by id for its owner only', async () => {
    const [alice, mallory] = await Promise.all([newOwner('alice'), newOwner('mallory')])
    const created = await createKey(alice)

    const foreign = await call(apiKeys, 'DELETE', `/v1/api-keys/${created.id}`, { as: mallory.token })
    const own = await call(apiKeys, 'DELETE', `/v1/api-keys/${created.id}`, { as: alice.token })

    expect(foreign.status).toBe(404)
    expect(own.status).toBe(204)
    expect((await call(auth, 'GET', '/v1/auth/me', { as: created.key })).status).toBe(401)
  })

  it('purges every personal key with a user token, but with a key only when the password comes along', async () => {
    const person = await newOwner()
    const [first, second] = [await createKey(person), await createKey(person)]

    const withKeyOnly = await call(apiKeys, 'POST', '/v1/api-keys/purge', { as: first.key, body: {} })
    const withKeyAndPassword = await call(apiKeys, 'POST', '/v1/api-keys/purge', {
      as: first.key,
      body: { password: person.password },
    })

    expect(withKeyOnly.status).toBe(401)
    expect(withKeyAndPassword.status).toBe(200)
    expect(withKeyAndPassword.json.revoked).toBe(2)
    expect((await call(auth, 'GET', '/v1/auth/me', { as: second.key })).status).toBe(401)
    const third = await createKey(person)
    const withToken = await call(apiKeys, 'POST', '/v1/api-keys/purge', { as: person.token, body: {} })
    expect(withToken.json.revoked).toBe(1)
    expect((await call(auth, 'GET', '/v1/auth/me', { as: third.key })).status).toBe(401)
  })
})

describe('workspace keys', () => {
  it('are created by admins, act as members of their workspace only, and are listed with ?workspace_id=', async () => {
    const [alice, bob] = await Promise.all([newOwner('alice'), newOwner('bob')])
    const created = await createKey(alice, { workspace_id: alice.workspaceId, scopes: ['read'] })

    const own = await call(workspaces, 'GET', `/v1/workspaces/${alice.workspaceId}`, { as: created.key })
    const other = await call(workspaces, 'GET', `/v1/workspaces/${bob.workspaceId}`, { as: created.key })
    const listed = await call(apiKeys, 'GET', '/v1/api-keys', {
      as: alice.token,
      query: `workspace_id=${alice.workspaceId}`,
    })
    const foreignList = await call(apiKeys, 'GET', '/v1/api-keys', {
      as: bob.token,
      query: `workspace_id=${alice.workspaceId}`,
    })

    expect(created.owner).toEqual({ type: 'workspace', id: alice.workspaceId })
    expect(own.json.role).toBe('member')
    expect(other.status).toBe(404)
    expect(listed.json.items.map((key: { id: string }) => key.id)).toEqual([created.id])
    expect(foreignList.status).toBe(404)
  })
})

describe('lists of keys', () => {
  it('page with a cursor bound to the caller: another caller or an edited cursor is 400', async () => {
    const [alice, bob] = await Promise.all([newOwner('alice'), newOwner('bob')])
    for (let i = 0; i < 3; i++) await createKey(alice, { name: `k${i}` })

    const first = await call(apiKeys, 'GET', '/v1/api-keys', { as: alice.token, query: 'limit=2' })
    const cursor = first.json.next_cursor as string
    const second = await call(apiKeys, 'GET', '/v1/api-keys', { as: alice.token, query: `limit=2&cursor=${cursor}` })
    const stolen = await call(apiKeys, 'GET', '/v1/api-keys', { as: bob.token, query: `cursor=${cursor}` })
    const edited = await call(apiKeys, 'GET', '/v1/api-keys', { as: alice.token, query: `cursor=x${cursor}` })

    expect(first.json.items).toHaveLength(2)
    expect(second.json.items).toHaveLength(1)
    expect(second.json.next_cursor).toBeNull()
    expect(stolen.status).toBe(400)
    expect(edited.status).toBe(400)
    expect(edited.json.error.code).toBe('bad_request')
  })
})

it('answers 401 to the key routes without credentials', async () => {
  const answer = await invoke(apiKeys, { method: 'GET', path: '/v1/api-keys' })

  expect(answer.status).toBe(401)
})
