import { describe, expect, it } from 'vitest'
import { verifyPassword } from '../../shared/crypto/passwords.js'
import { createOwnerIfAbsent, getUser, listMembershipsOfUser } from '../../shared/data/users.js'

const owner = (email: string) => ({ email, name: 'Owner', password: 'a-long-enough-password', workspaceName: 'Team' })

describe('seeding an owner', () => {
  it('creates the user with a hashed password, a workspace and an owner membership', async () => {
    const email = `seed-${Date.now()}@example.com`

    const { created, userId } = await createOwnerIfAbsent(owner(email))

    expect(created).toBe(true)
    const user = await getUser(userId)
    expect(user?.email).toBe(email)
    expect(user?.password_hash).not.toContain('a-long-enough-password')
    expect(await verifyPassword('a-long-enough-password', user!.password_hash!)).toBe(true)
    const memberships = await listMembershipsOfUser(userId)
    expect(memberships).toHaveLength(1)
    expect(memberships[0]).toMatchObject({ role: 'owner', workspace_id: expect.stringMatching(/^ws_/) })
  })

  it('is a no-op the second time, even with another case of the email', async () => {
    const email = `again-${Date.now()}@example.com`
    const first = await createOwnerIfAbsent(owner(email))

    const again = await createOwnerIfAbsent(owner(email.toUpperCase()))

    expect(again).toEqual({ created: false, userId: first.userId })
    expect(await listMembershipsOfUser(first.userId)).toHaveLength(1)
  })

  it('creates one user when two starts race on the same new email', async () => {
    const email = `race-${Date.now()}@example.com`

    const results = await Promise.all([createOwnerIfAbsent(owner(email)), createOwnerIfAbsent(owner(email))])

    expect(results.filter((result) => result.created)).toHaveLength(1)
    expect(results[0]?.userId).toBe(results[1]?.userId)
  })
})
