// Secrets Vega must use again later, so cannot keep as a hash (a webhook's signing secret: it signs every
// delivery), stored sealed: AES-256-GCM under a key derived from the deployment's signing secret for
// this one purpose, a random 96-bit IV, and what the secret belongs to (a webhook id) as additional
// authenticated data, so a sealed value copied onto another item does not open. Layout, base64url:
// version (1 byte), IV (12 bytes), ciphertext, tag (16 bytes).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { derivedKey } from './secret.js'

const version = 1
const ivBytes = 12
const tagBytes = 16

let key: Promise<Buffer> | undefined
const sealingKey = () =>
  (key ??= derivedKey('sealed-secrets v1').catch((error) => {
    key = undefined
    throw error
  }))

export async function seal(plain: string, boundTo: string): Promise<string> {
  return (await sealBytes(Buffer.from(plain, 'utf8'), boundTo)).toString('base64url')
}

/** The sealed value, opened; throws when it was sealed for something else or under another signing secret. */
export async function unseal(sealedText: string, boundTo: string): Promise<string> {
  return (await unsealBytes(Buffer.from(sealedText, 'base64url'), boundTo)).toString('utf8')
}

/** The same sealing over bytes: what a sharded scan's shard found, kept in the bucket until the merge. */
export async function sealBytes(plain: Uint8Array, boundTo: string): Promise<Buffer> {
  const iv = randomBytes(ivBytes)
  const cipher = createCipheriv('aes-256-gcm', await sealingKey(), iv, { authTagLength: tagBytes })
  cipher.setAAD(Buffer.from(boundTo, 'utf8'))
  const sealed = Buffer.concat([cipher.update(plain), cipher.final()])
  return Buffer.concat([Buffer.of(version), iv, sealed, cipher.getAuthTag()])
}

export async function unsealBytes(bytes: Uint8Array, boundTo: string): Promise<Buffer> {
  if (bytes.length <= 1 + ivBytes + tagBytes || bytes[0] !== version) throw new Error('not a sealed value')
  const decipher = createDecipheriv('aes-256-gcm', await sealingKey(), bytes.subarray(1, 1 + ivBytes), {
    authTagLength: tagBytes,
  })
  decipher.setAAD(Buffer.from(boundTo, 'utf8'))
  decipher.setAuthTag(bytes.subarray(bytes.length - tagBytes))
  return Buffer.concat([decipher.update(bytes.subarray(1 + ivBytes, bytes.length - tagBytes)), decipher.final()])
}
