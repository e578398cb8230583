// #22 item 8: a cursor is sealed (AES-256-GCM, key from the signing secret by HKDF), not only signed.
// Decoded, it shows nothing of the index keys behind it (ids, a key's SHA-256); edited, forged, taken
// by another caller or replayed against another list it is 400 bad_request; pages still walk the list.
import { describe, expect, it } from 'vitest'
import { handler as apiKeys } from '../../functions/api-keys/handler.js'
import { handler as projects } from '../../functions/projects/handler.js'
import { sha256Hex } from '../../shared/crypto/api-key-format.js'
import { call, newOwner, type Person } from '../support/identity.js'

async function createKey(person: Person, name: string) {
  const answer = await call(apiKeys, 'POST', '/v1/api-keys', { as: person.token, body: { name, scopes: ['read'] } })
  expect(answer.status).toBe(201)
  return answer.json as { id: string; key: string; prefix: string }
}

const decoded = (cursor: string) => Buffer.from(cursor, 'base64url')

describe('opaque cursors', () => {
  it('carry no key material: the decoded bytes hold no id, hash, workspace or table key name', async () => {
    const owner = await newOwner('cursor')
    const keys = []
    for (let i = 0; i < 3; i++) keys.push(await createKey(owner, `k${i}`))

    const first = await call(apiKeys, 'GET', '/v1/api-keys', { as: owner.token, query: 'limit=1' })
    const cursor = first.json.next_cursor as string

    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/)
    const bytes = decoded(cursor)
    const asText = [bytes.toString('utf8'), bytes.toString('latin1'), bytes.toString('hex')]
    const secrets = [
      owner.workspaceId,
      owner.workspaceId.slice(3),
      ...keys.flatMap((key) => [key.id, key.id.slice(4), sha256Hex(key.key), key.prefix]),
      '"pk"',
      '"sk"',
      'gsi',
    ]
    for (const text of asText) for (const secret of secrets) expect(text).not.toContain(secret)
    // Neither JSON nor base64 of JSON: a client cannot read or edit a position.
    expect(() => JSON.parse(bytes.toString('utf8'))).toThrow()
    // One position of one list seals to one cursor (a synthetic IV), so a page's ETag holds; another
    // position is another IV and ciphertext altogether.
    const again = await call(apiKeys, 'GET', '/v1/api-keys', { as: owner.token, query: 'limit=1' })
    const further = await call(apiKeys, 'GET', '/v1/api-keys', { as: owner.token, query: 'limit=2' })
    expect(again.json.next_cursor).toBe(cursor)
    expect(decoded(further.json.next_cursor).subarray(1, 13)).not.toEqual(bytes.subarray(1, 13))
  })

  it('still page: every key exactly once across pages of 2', async () => {
    const owner = await newOwner('cursor-pages')
    const made: string[] = []
    for (let i = 0; i < 5; i++) made.push((await createKey(owner, `p${i}`)).id)

    const seen: string[] = []
    let cursor: string | null = null
    do {
      const query: string = cursor ? `limit=2&cursor=${encodeURIComponent(cursor)}` : 'limit=2'
      const page = await call(apiKeys, 'GET', '/v1/api-keys', { as: owner.token, query })
      expect(page.status).toBe(200)
      seen.push(...page.json.items.map((key: { id: string }) => key.id))
      cursor = page.json.next_cursor
    } while (cursor)

    expect(seen).toHaveLength(made.length)
    expect([...seen].sort()).toEqual([...made].sort())
  })

  it('refuse tampering, forgery, the old signed format, another caller and another list with 400', async () => {
    const [alice, bob] = await Promise.all([newOwner('alice'), newOwner('bob')])
    for (let i = 0; i < 3; i++) await createKey(alice, `t${i}`)
    for (let i = 0; i < 2; i++) {
      const made = await call(projects, 'POST', '/v1/projects', { as: alice.token, body: { name: `c${i}` } })
      expect(made.status).toBe(201)
    }
    const first = await call(apiKeys, 'GET', '/v1/api-keys', { as: alice.token, query: 'limit=1' })
    const cursor = first.json.next_cursor as string
    const bytes = decoded(cursor)

    const flipped = (at: number) => {
      const copy = Buffer.from(bytes)
      copy[at] = (copy[at] ?? 0) ^ 0x01
      return copy.toString('base64url')
    }
    const oldFormat = `${Buffer.from(JSON.stringify({ pk: `WS#${alice.workspaceId}`, sk: 'KEY#x' })).toString('base64url')}.AAAAAAAAAAAAAAAAAAAAAA`
    const candidates = {
      iv: flipped(2),
      ciphertext: flipped(20),
      tag: flipped(bytes.length - 1),
      version: flipped(0),
      truncated: bytes.subarray(0, bytes.length - 1).toString('base64url'),
      oldFormat,
      garbage: 'not-a-cursor',
    }
    for (const [name, bad] of Object.entries(candidates)) {
      const answer = await call(apiKeys, 'GET', '/v1/api-keys', {
        as: alice.token,
        query: `cursor=${encodeURIComponent(bad)}`,
      })
      expect({ name, status: answer.status, code: answer.json.error?.code }).toEqual({
        name,
        status: 400,
        code: 'bad_request',
      })
    }
    const stolen = await call(apiKeys, 'GET', '/v1/api-keys', { as: bob.token, query: `cursor=${cursor}` })
    const otherList = await call(projects, 'GET', '/v1/projects', { as: alice.token, query: `cursor=${cursor}` })
    const good = await call(apiKeys, 'GET', '/v1/api-keys', { as: alice.token, query: `cursor=${cursor}` })

    expect(stolen.status).toBe(400)
    expect(otherList.status).toBe(400)
    expect(otherList.json.error.code).toBe('bad_request')
    expect(good.status).toBe(200)
    expect(good.json.items).toHaveLength(2)
  })
})
