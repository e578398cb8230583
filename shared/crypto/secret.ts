// The signing key of access tokens (and, derived from it, of list cursors). Read once per cold start:
// from a file locally (the local stack generates it under the git-ignored data folder), from Secrets
// Manager in AWS. Never logged, never returned.
import { createHmac, randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { sdk } from '../aws/clients.js'
import { config } from '../config.js'

let loading: Promise<Uint8Array> | undefined

export function signingKey(): Promise<Uint8Array> {
  loading ??= load().catch((error) => {
    loading = undefined // a failed read is retried by the next request, not cached
    throw error
  })
  return loading
}

async function load(): Promise<Uint8Array> {
  const { JWT_SECRET_FILE, JWT_SECRET_ARN, AWS_REGION } = config()
  let secret: string | undefined
  if (JWT_SECRET_FILE) secret = (await readFile(JWT_SECRET_FILE, 'utf8')).trim()
  else if (JWT_SECRET_ARN) {
    const { GetSecretValueCommand, SecretsManagerClient } = sdk.secretsManager()
    const client = new SecretsManagerClient({ region: AWS_REGION })
    secret = (await client.send(new GetSecretValueCommand({ SecretId: JWT_SECRET_ARN }))).SecretString
  } else throw new Error('Invalid or missing configuration: JWT_SECRET_FILE or JWT_SECRET_ARN')
  const key = Buffer.from(secret ?? '', 'utf8')
  // HS256 wants a key at least as long as its output (RFC 7518 §3.2).
  if (key.length < 32) throw new Error('The signing secret is shorter than 32 bytes')
  return new Uint8Array(key)
}

/** A new secret for a signing-key file: 48 random bytes, as text. */
export const newSigningSecret = () => randomBytes(48).toString('base64url')

/** A key for one purpose, so a cursor signature can never pass as a token signature. */
export async function derivedKey(purpose: string): Promise<Buffer> {
  return createHmac('sha256', await signingKey())
    .update(`vega:${purpose}`)
    .digest()
}
