// The format of a Vega API key, so that scanners (Vega's own among them) recognise one with near-zero
// false positives, and a typo is refused before any lookup:
//
//   vgk_ <30 random base62 characters> <6 base62 characters: CRC32 of the random part>
//   e.g. vgk_8fK2mQ9xL1pT7vZ3cN5bR0sW4yH6jE2gA1b9Qx   (40 characters, ~178 bits of entropy)
//
// Regex: \bvgk_[0-9A-Za-z]{36}\b, then the checksum must match. Only the SHA-256 of a key is stored.
import { createHash, randomInt } from 'node:crypto'
import { crc32 } from 'node:zlib'

const base62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
export const apiKeyPrefix = 'vgk_'
export const apiKeyPattern = /\bvgk_[0-9A-Za-z]{36}\b/g
const randomLength = 30
const checksumLength = 6

function toBase62(value: number, width: number): string {
  let out = ''
  for (let n = value; n > 0; n = Math.floor(n / 62)) out = base62[n % 62] + out
  return out.padStart(width, '0')
}

const checksumOf = (random: string) => toBase62(crc32(random), checksumLength)

export function newApiKey(): string {
  let random = ''
  for (let i = 0; i < randomLength; i++) random += base62[randomInt(62)]
  return `${apiKeyPrefix}${random}${checksumOf(random)}`
}

/** True when the string has the shape of a Vega key and its checksum holds. */
export function isWellFormedApiKey(key: string): boolean {
  if (key.length !== apiKeyPrefix.length + randomLength + checksumLength || !key.startsWith(apiKeyPrefix)) return false
  if (!/^[0-9A-Za-z]+$/.test(key.slice(apiKeyPrefix.length))) return false
  const random = key.slice(apiKeyPrefix.length, apiKeyPrefix.length + randomLength)
  return key.slice(-checksumLength) === checksumOf(random)
}

export const sha256Hex = (value: string) => createHash('sha256').update(value).digest('hex')

/** What a listing shows of a key: enough to tell keys apart, far too little to use. */
export const displayPrefix = (key: string) => key.slice(0, apiKeyPrefix.length + 6)
