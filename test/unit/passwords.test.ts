import { describe, expect, it } from 'vitest'
import { hashPassword, verifyPassword } from '../../shared/crypto/passwords.js'

describe('password hashing', () => {
  it('verifies the password it hashed and refuses any other', async () => {
    const stored = await hashPassword('correct horse battery staple')

    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true)
    expect(await verifyPassword('correct horse battery stapl', stored)).toBe(false)
  })

  it('stores scrypt with its parameters and a fresh salt, never the password', async () => {
    const [first, second] = await Promise.all([hashPassword('same'), hashPassword('same')])

    expect(first).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/)
    expect(first).not.toBe(second)
    expect(first).not.toContain('same')
  })

  it('refuses a stored value that is not an scrypt hash', async () => {
    expect(await verifyPassword('x', 'plain$x')).toBe(false)
    expect(await verifyPassword('x', '')).toBe(false)
  })
})
