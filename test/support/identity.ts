// Builders for tests: a fresh owner with a workspace, signed in; and a short way to call a handler as them.
import { randomUUID } from 'node:crypto'
import type { ApiHandler } from '../../shared/api/lambda.js'
import { login } from '../../shared/auth/accounts.js'
import { hashPassword } from '../../shared/crypto/passwords.js'
import { createApiKey } from '../../shared/data/api-keys.js'
import { createOwnerIfAbsent, setPasswordHash } from '../../shared/data/users.js'
import type { UserId, WorkspaceId } from '../../shared/ids.js'
import type { Role, Scope } from '../../shared/routes/route.js'
import { type Answer, invoke } from './invoke.js'

export interface Person {
  email: string
  password: string
  userId: UserId
  workspaceId: WorkspaceId
  token: string
  refreshToken: string
}

export async function newOwner(label = 'owner'): Promise<Person> {
  const email = `${label}-${randomUUID()}@example.com`
  const password = `pw-${randomUUID()}`
  const { userId, workspaceId } = await createOwnerIfAbsent({
    email,
    name: label,
    password,
    workspaceName: `${label}'s workspace`,
  })
  const tokens = await login(email, password, randomIp())
  return {
    email,
    password,
    userId,
    workspaceId: workspaceId!,
    token: tokens.access_token,
    refreshToken: tokens.refresh_token,
  }
}

export interface CallOptions {
  /** An access token or an API key, sent as a bearer credential. */
  as?: string
  body?: unknown
  query?: string
  headers?: Record<string, string>
  /** Each call comes from its own address unless told, so per-source login limits never couple tests. */
  sourceIp?: string
}

const randomIp = () =>
  `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`

export function call(handler: ApiHandler, method: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers }
  if (options.as) headers.authorization = `Bearer ${options.as}`
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  return invoke(handler, {
    method,
    path,
    query: options.query,
    headers,
    sourceIp: options.sourceIp ?? randomIp(),
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  })
}

/** Adds a member with a password set to the owner's workspace, signed in: their user id and token. */
export async function memberOf(owner: Person, role: Role): Promise<{ userId: string; token: string }> {
  const { handler: workspaces } = await import('../../functions/workspaces/handler.js')
  const email = `${role}-${randomUUID()}@example.com`
  const added = await call(workspaces, 'POST', `/v1/workspaces/${owner.workspaceId}/members`, {
    as: owner.token,
    body: { email, role },
  })
  if (added.status !== 201) throw new Error(`adding a ${role} failed: ${added.text}`)
  await setPasswordHash(added.json.user_id, await hashPassword('member-password-1'))
  const tokens = await login(email, 'member-password-1', randomIp())
  return { userId: added.json.user_id as string, token: tokens.access_token }
}

/** A key of the person's workspace with these scopes, made by them: its record and the secret to send. */
export function workspaceKey(person: Person, name: string, scopes: Scope[]) {
  return createApiKey({ name, scopes, owner: { type: 'workspace', id: person.workspaceId }, createdBy: person.userId })
}
