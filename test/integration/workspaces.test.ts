import { describe, expect, it } from 'vitest'
import { handler as auth } from '../../functions/auth/handler.js'
import { handler as workspaces } from '../../functions/workspaces/handler.js'
import { call, memberOf, newOwner, type Person } from '../support/identity.js'

const members = async (owner: Person) =>
  (await call(workspaces, 'GET', `/v1/workspaces/${owner.workspaceId}/members`, { as: owner.token })).json.items as {
    user_id: string
    role: string
  }[]

describe('workspaces', () => {
  it('lists the caller’s workspaces with their role, and gets one', async () => {
    const owner = await newOwner()

    const list = await call(workspaces, 'GET', '/v1/workspaces', { as: owner.token })
    const one = await call(workspaces, 'GET', `/v1/workspaces/${owner.workspaceId}`, { as: owner.token })

    expect(list.json).toEqual({
      items: [expect.objectContaining({ id: owner.workspaceId, role: 'owner' })],
      next_cursor: null,
    })
    expect(one.json).toMatchObject({ id: owner.workspaceId, role: 'owner' })
  })

  it('adds an existing user without a setup token, and refuses to add a member twice with 409', async () => {
    const [owner, other] = await Promise.all([newOwner('owner'), newOwner('other')])

    const added = await call(workspaces, 'POST', `/v1/workspaces/${owner.workspaceId}/members`, {
      as: owner.token,
      body: { email: other.email, role: 'viewer' },
    })
    const twice = await call(workspaces, 'POST', `/v1/workspaces/${owner.workspaceId}/members`, {
      as: owner.token,
      body: { email: other.email, role: 'member' },
    })

    expect(added.json).toMatchObject({ user_id: other.userId, role: 'viewer', setup_token: null })
    expect(twice.status).toBe(409)
    const me = await call(auth, 'GET', '/v1/auth/me', { as: other.token })
    expect(me.json.memberships).toHaveLength(2)
  })
})

describe('roles', () => {
  it('answers 403 to a viewer who writes, and changes nothing', async () => {
    const owner = await newOwner()
    const viewer = await memberOf(owner, 'viewer')
    const before = await members(owner)

    const answer = await call(workspaces, 'POST', `/v1/workspaces/${owner.workspaceId}/members`, {
      as: viewer.token,
      body: { email: 'intruder@example.com', role: 'admin' },
    })

    expect(answer.status).toBe(403)
    expect(answer.json.error.code).toBe('forbidden')
    expect(await members(owner)).toEqual(before)
  })

  it('lets an admin manage members but not owners', async () => {
    const owner = await newOwner()
    const admin = await memberOf(owner, 'admin')
    const member = await memberOf(owner, 'member')

    const promote = await call(workspaces, 'PATCH', `/v1/workspaces/${owner.workspaceId}/members/${member.userId}`, {
      as: admin.token,
      body: { role: 'viewer' },
    })
    const makeOwner = await call(workspaces, 'PATCH', `/v1/workspaces/${owner.workspaceId}/members/${member.userId}`, {
      as: admin.token,
      body: { role: 'owner' },
    })
    const removeOwner = await call(
      workspaces,
      'DELETE',
      `/v1/workspaces/${owner.workspaceId}/members/${owner.userId}`,
      {
        as: admin.token,
      },
    )

    expect(promote.json.role).toBe('viewer')
    expect(makeOwner.status).toBe(403)
    expect(removeOwner.status).toBe(403)
  })

  it('keeps the last owner: demoting or removing them is 409', async () => {
    const owner = await newOwner()

    const demote = await call(workspaces, 'PATCH', `/v1/workspaces/${owner.workspaceId}/members/${owner.userId}`, {
      as: owner.token,
      body: { role: 'admin' },
    })
    const remove = await call(workspaces, 'DELETE', `/v1/workspaces/${owner.workspaceId}/members/${owner.userId}`, {
      as: owner.token,
    })

    expect(demote.status).toBe(409)
    expect(remove.status).toBe(409)
    expect((await members(owner)).find((m) => m.user_id === owner.userId)?.role).toBe('owner')
  })

  it('lets an owner hand over: promote another owner, then step down', async () => {
    const owner = await newOwner()
    const next = await memberOf(owner, 'admin')

    await call(workspaces, 'PATCH', `/v1/workspaces/${owner.workspaceId}/members/${next.userId}`, {
      as: owner.token,
      body: { role: 'owner' },
    })
    const stepDown = await call(workspaces, 'DELETE', `/v1/workspaces/${owner.workspaceId}/members/${owner.userId}`, {
      as: owner.token,
    })

    expect(stepDown.status).toBe(204)
  })
})

describe('tenant isolation', () => {
  it('answers 404 to every route of another workspace, and changes nothing there', async () => {
    const [alice, bob] = await Promise.all([newOwner('alice'), newOwner('bob')])
    const bobsMembers = await members(bob)
    const ws = bob.workspaceId

    const attempts = [
      await call(workspaces, 'GET', `/v1/workspaces/${ws}`, { as: alice.token }),
      await call(workspaces, 'GET', `/v1/workspaces/${ws}/members`, { as: alice.token }),
      await call(workspaces, 'POST', `/v1/workspaces/${ws}/members`, {
        as: alice.token,
        body: { email: 'spy@example.com', role: 'owner' },
      }),
      await call(workspaces, 'PATCH', `/v1/workspaces/${ws}/members/${bob.userId}`, {
        as: alice.token,
        body: { role: 'viewer' },
      }),
      await call(workspaces, 'DELETE', `/v1/workspaces/${ws}/members/${bob.userId}`, { as: alice.token }),
    ]

    for (const answer of attempts) {
      expect(answer.status).toBe(404)
      expect(answer.json.error.code).toBe('not_found')
    }
    expect(await members(bob)).toEqual(bobsMembers)
    const list = await call(workspaces, 'GET', '/v1/workspaces', { as: alice.token })
    expect(list.json.items.map((w: { id: string }) => w.id)).toEqual([alice.workspaceId])
  })

  it('answers the same 404 for a workspace that does not exist', async () => {
    const alice = await newOwner()

    const answer = await call(workspaces, 'GET', '/v1/workspaces/ws_01JABCDEFGHJKMNPQRSTVWXYZ0', { as: alice.token })

    expect(answer.status).toBe(404)
  })
})
