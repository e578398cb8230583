// Idempotency-Key on creating POSTs (DESIGN.md, issue #5): the same key and the same request within
// 24 hours answer what the first one answered (with `Idempotent-Replayed: true`); the same key with
// another body is 409; a key whose first request is still running is 409 too (retry shortly). A secret
// shown once in the first answer (a push token) is never stored, so a replay answers it as null.
// A key belongs to its caller and route, so two callers can never collide or read each other's answers.
// Written for Vega rather than taken from Powertools' idempotency utility: that one keys on a JMESPath
// of the Lambda event and records the handler's result, while Vega needs the key from a header, scoped
// to the caller and the route, and HTTP answers (409, replay headers) per route inside one dispatcher.
import type { APIGatewayProxyResult } from 'aws-lambda'
import { sha256Hex } from '../crypto/api-key-format.js'
import { claim, complete, release } from '../data/idempotency.js'
import { badRequest, conflict } from './errors.js'

const validKey = /^[\x21-\x7e]{1,255}$/

export async function idempotent(
  scope: { principal: string; routeId: string; key: string; request: string },
  run: () => Promise<APIGatewayProxyResult>,
  shownOnce: readonly string[] = [],
): Promise<APIGatewayProxyResult> {
  if (!validKey.test(scope.key)) throw badRequest('Idempotency-Key must be 1 to 255 visible ASCII characters')
  const key = { principal: scope.principal, route: scope.routeId, keyHash: sha256Hex(scope.key) }
  const bodyHash = sha256Hex(scope.request)
  const existing = await claim(key, bodyHash)
  if (existing) {
    if (existing.body_hash !== bodyHash) {
      throw conflict('This Idempotency-Key was used with another request; use a new key for a new request')
    }
    if (existing.state === 'in_progress')
      throw conflict('A request with this Idempotency-Key is still running; retry shortly')
    const { answer } = existing
    return {
      statusCode: answer.status,
      headers: { ...answer.headers, 'idempotent-replayed': 'true' },
      body: answer.body,
      isBase64Encoded: answer.isBase64Encoded,
    }
  }
  let result: APIGatewayProxyResult
  try {
    result = await run()
  } catch (error) {
    await release(key)
    throw error
  }
  await complete(key, {
    status: result.statusCode,
    headers: Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)])),
    body: withoutSecrets(result, shownOnce),
    isBase64Encoded: result.isBase64Encoded ?? false,
  })
  return result
}

/**
 * What is kept for replays: the answer with its shown-once fields as null. A replay answers the same
 * resource but never the secret again (it is not even stored); a client that lost it makes a new one.
 */
function withoutSecrets(result: APIGatewayProxyResult, shownOnce: readonly string[]): string {
  if (shownOnce.length === 0 || result.isBase64Encoded || result.statusCode >= 300) return result.body
  const answer = JSON.parse(result.body) as Record<string, unknown>
  for (const field of shownOnce) if (field in answer) answer[field] = null
  return JSON.stringify(answer)
}
