import { afterEach, describe, expect, it, vi } from 'vitest'
import { handler as apiKeys } from '../../functions/api-keys/handler.js'
import { handler as auth } from '../../functions/auth/handler.js'
import { handler as workspaces } from '../../functions/workspaces/handler.js'
import { sha256Hex } from '../../shared/auth/api-key-format.js'
import { getUser } from '../../shared/data/users.js'
import { logger } from '../../shared/log.js'
import { call, newOwner } from '../support/identity.js'

afterEach(() => {
  logger.setLogLevel('SILENT')
  vi.restoreAllMocks()
})

describe('secrets', () => {
  it('never appear in a log line, nor in any answer but the one that hands them out', async () => {
    const person = await newOwner()
    const lines: string[] = []
    logger.setLogLevel('DEBUG')
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk) => lines.push(String(chunk)) > 0)
    }

    const signedIn = await call(auth, 'POST', '/v1/auth/login', {
      body: { email: person.email, password: person.password },
    })
    const { access_token, refresh_token } = signedIn.json
    const created = await call(apiKeys, 'POST', '/v1/api-keys', {
      as: access_token,
      body: { name: 'k', scopes: ['read'] },
    })
    const key = created.json.key as string
    const answers = [
      await call(auth, 'GET', '/v1/auth/me', { as: key }),
      await call(auth, 'GET', '/v1/auth/me', { as: `${access_token}x` }),
      await call(auth, 'POST', '/v1/auth/login', { body: { email: person.email, password: `${person.password}!` } }),
      await call(auth, 'POST', '/v1/auth/refresh', { body: { refresh_token } }),
      await call(auth, 'POST', '/v1/auth/refresh', { body: { refresh_token } }),
      await call(apiKeys, 'GET', '/v1/api-keys', { as: access_token }),
      await call(workspaces, 'GET', `/v1/workspaces/${person.workspaceId}/members`, { as: key }),
      await call(apiKeys, 'POST', '/v1/api-keys/revoke', { as: key, body: { key } }),
      await call(auth, 'GET', '/v1/auth/me', { as: key }),
    ]
    const passwordHash = (await getUser(person.userId))?.password_hash as string

    const secrets = {
      password: person.password,
      access_token,
      refresh_token,
      key,
      keyHash: sha256Hex(key),
      passwordHash,
    }
    const logs = lines.join('')
    expect(lines.length).toBeGreaterThan(5)
    for (const [name, secret] of Object.entries(secrets)) {
      expect(logs.includes(secret), `${name} in logs`).toBe(false)
      for (const answer of answers) expect(answer.text.includes(secret), `${name} in an answer`).toBe(false)
    }
    expect(created.text).toContain(key)
  })
})
