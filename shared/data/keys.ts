// Every partition and sort key format Vega uses, and nothing else. No other file spells a key.
import type { UserId, WorkspaceId } from '../ids.js'

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
  membershipsOfUser: (user: UserId) => ({ gsi1pk: `USER#${user}`, gsi1skPrefix: 'WS#' }),
  /** Any item that only needs to exist, for readiness probes and the local stack's persistence check. */
  probe: (name: string) => ({ pk: `PROBE#${name}`, sk: 'PROBE' }),
} as const
