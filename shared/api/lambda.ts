// lambda(): the one way a group's handler is built when its routes take credentials. The dispatcher
// (dispatcher.ts) does the HTTP work; this adds who calls (tokens and API keys, rate limits, scopes) and
// their roles in a workspace. A group whose routes page passes `lists` (signed cursors, the next page's
// Link, validators), one with idempotent routes `idempotency` (Idempotency-Key): the dispatcher refuses at
// import a group that needs one and lacks it, and a group that needs neither bundles neither. Groups whose
// routes are all public use publicLambda() (public-lambda.ts), which bundles none of it.
import { requireRole, requireScope } from '../auth/authorize.js'
import { limitRequests, rateLimitHeaders, throwIfExceeded } from '../auth/limits.js'
import { credentialOf, prepareActor, principalId } from '../auth/principal.js'
import { unauthorized } from '../http/errors.js'
import { idempotent } from '../http/idempotency.js'
import { type RouteTable, scopeOf } from '../routes/route.js'
import {
  type ApiHandler,
  type Credentials,
  type DispatchOptions,
  dispatchChain,
  dispatcher,
  type Handlers,
  type Idempotency,
} from './dispatcher.js'
import { type StreamingHandler, streamed } from './streaming.js'

export { type ApiHandler, type Handlers, type HttpRequest, notBuilt } from './dispatcher.js'
/** What a group whose routes page or validate passes: `lambda(routes, handlers, { lists })` (lists.ts). */
export { lists } from './lists.js'
export type { StreamingHandler } from './streaming.js'

const signedIn: Credentials = {
  async authenticate(spec, headers, context) {
    if (spec.auth !== 'user' && spec.auth !== 'optional') return undefined
    const credential = credentialOf(headers)
    if (!credential) {
      if (spec.auth === 'user') throw unauthorized()
      return undefined
    }
    const { subject, resolve } = await prepareActor(credential)
    const [actor, count] = await Promise.all([resolve(), limitRequests(subject)])
    context.principalId = principalId(actor)
    Object.assign(context.responseHeaders, rateLimitHeaders(count))
    throwIfExceeded(count)
    requireScope(actor, scopeOf(spec), spec.apiKeys !== false)
    return actor
  },
  requireRole,
  principalId,
}

/** Idempotency-Key replays: `lambda(routes, handlers, { idempotency })` for a group with idempotent routes. */
export const idempotency: Idempotency = { idempotent }

export function lambda<T extends RouteTable>(routes: T, handlers: Handlers<T>, options?: DispatchOptions): ApiHandler {
  return dispatcher(routes, handlers, signedIn, options)
}

/**
 * The same routes through Lambda response streaming: what the group's routes marked `streams` are
 * integrated with (an API Gateway STREAM integration), so an answer's body reaches the client as it is made.
 */
export function streamingLambda<T extends RouteTable>(
  routes: T,
  handlers: Handlers<T>,
  options?: DispatchOptions,
): StreamingHandler {
  return streamed(dispatchChain(routes, handlers, signedIn, options))
}
