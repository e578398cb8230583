// What a route is. The table itself is index.ts; every consumer (local server, Lambda dispatcher,
// OpenAPI generator, CDK) is a pure function of it.
import type { Role, Scope } from '../grants.js'
import type { ErrorCode } from '../http/errors.js'
import type * as z from '../zod.js'

export const groups = [
  'health',
  'docs',
  'auth',
  'workspaces',
  'api-keys',
  'projects',
  'repositories',
  'git-uploads',
  'triage',
  'billing',
  'ops',
  'sessions',
  'webhooks',
  'overview',
] as const
export type Group = (typeof groups)[number]

export const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const
export type Method = (typeof methods)[number]

/**
 * none: public; user: a user access token or an API key; optional: public, but a caller who sends
 * credentials is resolved (and must be valid); upload-token: the git remote's one-time basic credentials.
 */
export type Auth = 'none' | 'user' | 'optional' | 'upload-token'

/** The least workspace role a route needs, and the scope a key needs: declared once in grants.ts. */
export { type Role, type Scope, scopes } from '../grants.js'

export interface RouteSpec {
  group: Group
  method: Method
  /** API Gateway / OpenAPI template, `{param}` segments; always under /v1. */
  path: `/v1/${string}`
  summary: string
  description?: string
  auth: Auth
  /**
   * The role the caller needs in the workspace the route acts on. `lambda()` refuses to answer (500) a
   * route with a role whose handler never checked it, so a check cannot be dropped silently.
   */
  role?: Role
  /**
   * A workspace-owned key holding this route's scope (`billing`, `ops`) acts in its own workspace with the
   * route's role: what a dashboard's or an operator's job needs, without an admin's account.
   */
  scopeGrants?: true
  /** `workspace`: the path's `{id}` is the workspace, authorized by `lambda()` before the handler runs. */
  actsOn?: 'workspace'
  /** The scope an API key needs; by default `read` for GET and `write` for the rest; `any`: no scope. */
  scope?: Scope | 'any'
  /** false: only a user's access token will do (managing keys, members, passwords). */
  apiKeys?: false
  params?: z.ZodMiniObject
  query?: z.ZodMiniObject
  body?: z.core.$ZodType
  /** Request media type when the body is not JSON (the git protocol). */
  consumes?: string
  /** Schema of a JSON answer. */
  ok?: z.core.$ZodType
  /** Media type of a non-JSON answer (HTML, git protocol, SARIF, CSV). */
  produces?: string
  /** The JSON answer is also given as text/csv, on `Accept: text/csv` or `?format=csv`. */
  csv?: true
  /** Answers carry an ETag and Cache-Control, and 304 to If-None-Match (lists and SARIF always do). */
  validators?: true
  status?: 200 | 201 | 202 | 204
  /** Errors particular to this route, on top of the ones every route of its kind can return. */
  errors?: readonly ErrorCode[]
  /** Largest request body accepted, in bytes (default 256 KiB for JSON). */
  maxBodyBytes?: number
  /**
   * For a 201 or 202: the route that reads what was created or what to poll (its `Location`). Its path
   * parameters come from this request's, and its last one from the answer's `id` field (or `id` named
   * here); a create whose resource has no route of its own points at the list that holds it. A route
   * of another group is named with its path too: a group's Lambda bundles only its own routes.
   */
  location?: { route: string; id?: string; path?: `/v1/${string}` }
  /** Accepts an `Idempotency-Key` header. */
  idempotent?: boolean
  /**
   * Top-level answer fields that carry a secret shown once (a push token in a URL): a replay under the
   * same Idempotency-Key answers them as null, so the secret is never stored for replays nor shown twice.
   */
  shownOnce?: readonly string[]
  deprecated?: boolean
  /**
   * Answered through Lambda response streaming: in AWS a STREAM integration with the group's
   * `streamHandler` (its own function, up to 15 minutes), locally the same handler writing to the socket,
   * so the body reaches the client as it is written (a waiting push's progress lines).
   */
  streams?: true
}

export const route = <const R extends RouteSpec>(spec: R): R => spec

export const scopeOf = (spec: RouteSpec): Scope | 'any' => spec.scope ?? (spec.method === 'GET' ? 'read' : 'write')

export type RouteTable = Record<string, RouteSpec>
