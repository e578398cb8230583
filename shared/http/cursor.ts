// List cursors: opaque, encrypted and authenticated, and bound to who asked and what they asked, so a
// cursor cannot be read, forged, edited, or replayed by another caller or against another query
// (DESIGN.md "Lists"). A cursor is the index position (table keys, which may include a key's hash)
// sealed with AES-256-GCM: the key is derived by HKDF-SHA-256 from the deployment's signing secret,
// and the binding (caller, route, path parameters, filters) is the additional authenticated data, so
// a cursor opens only for the list that handed it out. Layout, base64url: version (1 byte), IV (12
// bytes), ciphertext, tag (16 bytes). The IV is synthetic (an HMAC of binding and position under a
// second derived key, as in SIV): one position of one list always seals to the same cursor, so a list
// page is the same bytes twice and its ETag holds; an IV repeats only with its own plaintext.
import { createCipheriv, createDecipheriv, createHmac, hkdf } from 'node:crypto'
import { signingKey } from '../crypto/secret.js'
import type { StartKey } from '../data/db.js'
import { badRequest } from './errors.js'

const version = 2 // 1 was the signed, readable cursor; it is refused like any other foreign cursor
const ivBytes = 12
const tagBytes = 16

const derive = (info: string) =>
  signingKey().then(
    (secret) =>
      new Promise<Buffer>((resolve, reject) =>
        hkdf('sha256', secret, 'vega:cursor', info, 32, (error, derived) =>
          error ? reject(error) : resolve(Buffer.from(derived)),
        ),
      ),
  )
let keys: Promise<{ cipher: Buffer; iv: Buffer }> | undefined
const cursorKeys = () =>
  (keys ??= Promise.all([derive('aes-256-gcm v2'), derive('synthetic iv v2')]).then(([cipher, iv]) => ({
    cipher,
    iv,
  })))

export async function encodeCursor(startKey: StartKey, binding: string): Promise<string> {
  const { cipher: key, iv: ivKey } = await cursorKeys()
  const plain = JSON.stringify(startKey)
  const iv = createHmac('sha256', ivKey).update(binding).update('\0').update(plain).digest().subarray(0, ivBytes)
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes })
  cipher.setAAD(Buffer.from(binding, 'utf8'))
  const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
  return Buffer.concat([Buffer.of(version), iv, sealed, cipher.getAuthTag()]).toString('base64url')
}

export async function decodeCursor(cursor: string, binding: string): Promise<StartKey> {
  const invalid = () => badRequest('The cursor is not one this list handed out to you; start again without it')
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid()
  const bytes = Buffer.from(cursor, 'base64url')
  if (bytes.length <= 1 + ivBytes + tagBytes || bytes[0] !== version) throw invalid()
  const iv = bytes.subarray(1, 1 + ivBytes)
  const tag = bytes.subarray(bytes.length - tagBytes)
  const sealed = bytes.subarray(1 + ivBytes, bytes.length - tagBytes)
  try {
    const decipher = createDecipheriv('aes-256-gcm', (await cursorKeys()).cipher, iv, { authTagLength: tagBytes })
    decipher.setAAD(Buffer.from(binding, 'utf8'))
    decipher.setAuthTag(tag)
    const plain = Buffer.concat([decipher.update(sealed), decipher.final()]).toString('utf8')
    const startKey = JSON.parse(plain) as unknown
    if (typeof startKey !== 'object' || startKey === null || Array.isArray(startKey)) throw invalid()
    return startKey as StartKey
  } catch {
    throw invalid()
  }
}
