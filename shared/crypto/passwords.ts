// Passwords are hashed with scrypt from node:crypto: memory-hard (N=2^15, r=8 → 32 MiB per hash), in
// the runtime already (no native addon to build for arm64 Lambda), and tunable per hash because the
// parameters are stored with it.
import { randomBytes, type ScryptOptions, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto'

const scrypt = (password: string, salt: Buffer, length: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCallback(password, salt, length, options, (error, key) => (error ? reject(error) : resolve(key))),
  )

const params = { N: 2 ** 15, r: 8, p: 1 }
const keyLength = 32
// scrypt needs 128 * N * r bytes; Node's default maxmem (32 MiB) is exactly that, leaving no headroom.
const maxmem = 64 * 1024 * 1024

/** `scrypt$N$r$p$salt$hash`, salt and hash base64url. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const hash = await scrypt(password, salt, keyLength, { ...params, maxmem })
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), hash.toString('base64url')].join('$')
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$')
  if (scheme !== 'scrypt' || !salt || !hash) return false
  const expected = Buffer.from(hash, 'base64url')
  const actual = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem,
  })
  return timingSafeEqual(actual, expected)
}
