// Records of idempotent requests: claimed before the work, completed with the answer after it.
import { documents } from '../aws/clients.js'
import * as z from '../zod.js'
import { commands, epochSeconds, getRecord, isConditionFailure, tableName } from './db.js'
import * as keys from './keys.js'

/** DESIGN: the same key and body within 24 hours returns the first answer. */
export const idempotencyWindowS = 24 * 3600

const storedAnswer = z.object({
  status: z.number().check(z.int()),
  headers: z.record(z.string(), z.string()),
  body: z.string(),
  isBase64Encoded: z.boolean(),
})
export type StoredAnswer = z.infer<typeof storedAnswer>

/** Claimed while the first request runs, then done with its answer (replayed for the same key and body). */
export const idempotencyRecord = z.discriminatedUnion('state', [
  z.object({ state: z.literal('in_progress'), body_hash: z.string() }),
  z.object({ state: z.literal('done'), body_hash: z.string(), answer: storedAnswer }),
])
export type IdempotencyRecord = z.infer<typeof idempotencyRecord>

/** Who sent which key to which route: an idempotency key belongs to its caller and route. */
export interface IdempotencyScope {
  principal: string
  route: string
  /** The client's key, hashed by the caller (it may be long, and it is the client's data). */
  keyHash: string
}
const keyOf = (scope: IdempotencyScope) => keys.idempotency(scope.principal, scope.route, scope.keyHash)

/** Claims the key for this request; the existing record when someone claimed it first (and it lives). */
export async function claim(
  scope: IdempotencyScope,
  bodyHash: string,
  now = Date.now(),
): Promise<IdempotencyRecord | undefined> {
  const key = keyOf(scope)
  try {
    await documents().send(
      new (commands().PutCommand)({
        TableName: tableName(),
        Item: {
          ...key,
          state: 'in_progress',
          body_hash: bodyHash,
          expires_at_epoch: epochSeconds(now) + idempotencyWindowS,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR expires_at_epoch <= :now',
        ExpressionAttributeValues: { ':now': epochSeconds(now) },
      }),
    )
    return undefined
  } catch (error) {
    if (!isConditionFailure(error)) throw error
  }
  return getRecord(idempotencyRecord, key, { consistent: true })
}

export async function complete(scope: IdempotencyScope, answer: StoredAnswer): Promise<void> {
  const key = keyOf(scope)
  await documents().send(
    new (commands().UpdateCommand)({
      TableName: tableName(),
      Key: key,
      UpdateExpression: 'SET #state = :done, answer = :answer',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':done': 'done', ':answer': answer },
    }),
  )
}

/** A failed request releases its key, so the client's retry runs for real. */
export async function release(scope: IdempotencyScope): Promise<void> {
  await documents().send(new (commands().DeleteCommand)({ TableName: tableName(), Key: keyOf(scope) }))
}
