// Every partition and sort key format Vega uses, and nothing else. No other file spells a key.
import type { ApiKeyId, LoginId, UserId, WorkspaceId } from '../ids.js'

export const keys = {
  user: (id: UserId) => ({ pk: `USER#${id}`, sk: 'PROFILE' }),
  /** Makes an email unique across users, and finds the user at login. */
  userEmail: (email: string) => ({ pk: `EMAIL#${email.toLowerCase()}`, sk: 'EMAIL' }),
  workspace: (id: WorkspaceId) => ({ pk: `WS#${id}`, sk: 'WORKSPACE' }),
  /** A membership lives under its workspace (members of a workspace) and, on gsi1, under its user. */
  membership: (workspace: WorkspaceId, user: UserId) => ({
    pk: `WS#${workspace}`,
    sk: `MEMBER#${user}`,
    gsi1pk: `USER#${user}`,
    gsi1sk: `WS#${workspace}`,
  }),
  membersOf: (workspace: WorkspaceId) => ({ pk: `WS#${workspace}`, skPrefix: 'MEMBER#' }),
  membershipsOfUser: (user: UserId) => ({ gsi1pk: `USER#${user}`, gsi1skPrefix: 'WS#' }),

  /** A signed-in session; its refresh tokens point at it, and revoking it ends them all. */
  login: (id: LoginId) => ({ pk: `LOGIN#${id}`, sk: 'LOGIN' }),
  refreshToken: (sha256: string) => ({ pk: `REFRESH#${sha256}`, sk: 'REFRESH' }),
  setupToken: (sha256: string) => ({ pk: `SETUP#${sha256}`, sk: 'SETUP' }),

  /** An API key is found by the SHA-256 of its secret; listed by owner on gsi1; found by id on gsi2. */
  apiKey: (sha256: string, id: ApiKeyId, owner: UserId | WorkspaceId) => ({
    pk: `APIKEY#${sha256}`,
    sk: 'APIKEY',
    gsi1pk: `KEYOWNER#${owner}`,
    gsi1sk: `KEY#${id}`,
    gsi2pk: `KEYID#${id}`,
    gsi2sk: 'APIKEY',
  }),
  apiKeyBySecret: (sha256: string) => ({ pk: `APIKEY#${sha256}`, sk: 'APIKEY' }),
  apiKeysOf: (owner: UserId | WorkspaceId) => ({ gsi1pk: `KEYOWNER#${owner}`, gsi1skPrefix: 'KEY#' }),
  apiKeyById: (id: ApiKeyId) => ({ gsi2pk: `KEYID#${id}`, gsi2sk: 'APIKEY' }),

  /** A fixed-window counter: one item per subject and window, expired by TTL. */
  rateWindow: (subject: string, windowStart: number) => ({ pk: `RATE#${subject}`, sk: `W#${windowStart}` }),

  /** Any item that only needs to exist, for the local stack's persistence check. */
  probe: (name: string) => ({ pk: `PROBE#${name}`, sk: 'PROBE' }),
} as const
