// publicLambda(): lambda() for a group whose routes take no credentials (health, docs). The same
// dispatcher, without the code that reads tokens and keys, roles, signed cursors and idempotency records:
// those bring jose, the data layer and their SDK clients into a bundle that never calls them.
import type { RouteSpec } from '../routes/route.js'
import { type ApiHandler, type Credentials, type DispatchOptions, dispatcher, type Handlers } from './dispatcher.js'

export type { Handlers } from './dispatcher.js'

/** A route anyone may call: no credentials, no role, no signed cursor, no Idempotency-Key. */
type PublicRoute = RouteSpec & { auth: 'none'; role?: never; idempotent?: false }

const refuse = (what: string) => () => {
  throw new Error(`a public route cannot use ${what}`)
}

const anonymous: Credentials = {
  authenticate: async () => undefined,
  requireRole: refuse('roles'),
  principalId: refuse('a principal'),
}

export function publicLambda<T extends Record<string, PublicRoute>>(
  routes: T,
  handlers: Handlers<T>,
  options?: DispatchOptions,
): ApiHandler {
  for (const [routeId, spec] of Object.entries(routes))
    if ((spec.query as { shape?: Record<string, unknown> } | undefined)?.shape?.cursor)
      throw new Error(`${routeId} pages with a signed cursor: build its group with lambda()`)
  return dispatcher(routes, handlers, anonymous, options)
}
