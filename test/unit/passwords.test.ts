import { describe, expect, it } from 'vitest'
import { decoyHash } from '../../shared/auth/accounts.js'
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

  it('gives the decoy of unknown emails the parameters and lengths of a real hash, so it costs as much', async () => {
    const real = await hashPassword('any')
    const shape = (stored: string) => stored.split('$').map((part, index) => (index < 4 ? part : part.length))

    expect(shape(decoyHash)).toEqual(shape(real))
    expect(await verifyPassword('vega-decoy-password', decoyHash)).toBe(true)
  })

  it('refuses a stored value that is not an scrypt hash', async () => {
    expect(await verifyPassword('x', 'plain$x')).toBe(false)
    expect(await verifyPassword('x', '')).toBe(false)
  })
})
