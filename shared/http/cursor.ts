// List cursors: opaque, signed, and bound to who asked and what they asked, so a cursor cannot be
// forged, edited, or replayed by another caller or against another query (DESIGN.md "Lists").
import { createHmac, timingSafeEqual } from 'node:crypto'
import { derivedKey } from '../auth/secret.js'
import type { StartKey } from '../data/db.js'
import { badRequest } from './errors.js'

let key: Promise<Buffer> | undefined
const cursorKey = () => (key ??= derivedKey('cursor'))

const sign = async (payload: string, binding: string) =>
  createHmac('sha256', await cursorKey())
    .update(`${binding}\n${payload}`)
    .digest()
    .subarray(0, 16)

export async function encodeCursor(startKey: StartKey, binding: string): Promise<string> {
  const payload = Buffer.from(JSON.stringify(startKey)).toString('base64url')
  return `${payload}.${(await sign(payload, binding)).toString('base64url')}`
}

export async function decodeCursor(cursor: string, binding: string): Promise<StartKey> {
  const [payload, signature, extra] = cursor.split('.')
  const invalid = () => badRequest('The cursor is not one this list handed out to you; start again without it')
  if (!payload || !signature || extra !== undefined) throw invalid()
  const expected = await sign(payload, binding)
  const given = Buffer.from(signature, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid()
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as StartKey
  } catch {
    throw invalid()
  }
}
