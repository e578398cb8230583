// Fixed-window counters in DynamoDB: one atomic ADD per request on the subject's item for the current
// window; the item expires by TTL after its window. Cheap (one write), exact, and shared by every
// Lambda instance, unlike an in-memory limiter.
import { documents } from '../aws/clients.js'
import { commands, epochSeconds, getItem, tableName } from './db.js'
import * as keys from './keys.js'

export interface WindowCount {
  limit: number
  /** Requests left in this window after this one; always below limit, as the seeds' M < N says. */
  remaining: number
  /** Epoch seconds when the window ends. */
  reset: number
  exceeded: boolean
}

export async function countInWindow(
  subject: string,
  limit: number,
  windowS: number,
  now = Date.now(),
): Promise<WindowCount> {
  const start = Math.floor(epochSeconds(now) / windowS) * windowS
  const reset = start + windowS
  const { Attributes } = await documents().send(
    new (commands().UpdateCommand)({
      TableName: tableName(),
      Key: keys.rateWindow(subject, start),
      UpdateExpression: 'ADD hits :one SET expires_at_epoch = :expires',
      ExpressionAttributeValues: { ':one': 1, ':expires': reset + windowS },
      ReturnValues: 'UPDATED_NEW',
    }),
  )
  const hits = Number(Attributes?.hits ?? 1)
  return { limit, remaining: Math.max(0, limit - hits), reset, exceeded: hits > limit }
}

/** The hits a subject has in the window holding `now`, without counting one more. */
export async function hitsInWindow(subject: string, windowS: number, now = Date.now()): Promise<number> {
  const start = Math.floor(epochSeconds(now) / windowS) * windowS
  const Item = await getItem(keys.rateWindow(subject, start), { projection: 'hits' })
  return Number(Item?.hits ?? 0)
}

/** Requests-per-minute limits by rate-limit subject (a user id, or `key:` and a key hash prefix). */
export async function getRateOverrides(): Promise<{
  subjects: Record<string, number>
  workspaces: Record<string, number>
}> {
  const Item = await getItem(keys.rateOverrides())
  return { subjects: Item?.subjects ?? {}, workspaces: Item?.workspaces ?? {} }
}

export async function putRateOverrides(overrides: {
  subjects: Record<string, number>
  workspaces: Record<string, number>
}): Promise<void> {
  await documents().send(
    new (commands().PutCommand)({ TableName: tableName(), Item: { ...keys.rateOverrides(), ...overrides } }),
  )
}

/** Requests a rate-limit subject made in this minute's window (as shared/auth/limits.ts counts them). */
export async function requestsThisMinute(subject: string, now = Date.now()): Promise<number> {
  const start = Math.floor(epochSeconds(now) / 60) * 60
  const Item = await getItem(keys.rateWindow(`P:${subject}`, start), { consistent: true })
  return Number(Item?.hits ?? 0)
}
