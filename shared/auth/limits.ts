// Rate limits: per principal on every authenticated request, and per account and per source address on
// login (so guessing one account's password, or many accounts' from one address, is slow).
import { config } from '../config.js'
import { getRateOverrides } from '../data/quotas.js'
import { countInWindow, type WindowCount } from '../data/rate-limits.js'
import { rateLimited } from '../http/errors.js'
import { sha256Hex } from './api-key-format.js'

const loginWindowS = 15 * 60
export const loginLimits = () => ({
  perAccount: { limit: config().LOGIN_LIMIT_PER_ACCOUNT, windowS: loginWindowS },
  perSource: { limit: config().LOGIN_LIMIT_PER_SOURCE, windowS: loginWindowS },
})

// A workspace's own requests_per_minute, by subject (shared/ops/limits.ts builds it); read at most once a
// minute per container, so a changed limit holds everywhere within a minute at no cost per request.
const overridesTtlMs = 60_000
let overrides: { subjects: Record<string, number>; readAt: number } | undefined

async function requestLimitOf(principal: string, now: number): Promise<number> {
  if (!overrides || now - overrides.readAt > overridesTtlMs)
    overrides = { subjects: (await getRateOverrides()).subjects, readAt: now }
  return overrides.subjects[principal] ?? config().RATE_LIMIT_PER_MINUTE
}

/** Forgets the cached overrides (after an owner changed one, in the same container). */
export const forgetRequestLimits = () => {
  overrides = undefined
}

export async function limitRequests(principal: string, now = Date.now()): Promise<WindowCount> {
  return countInWindow(`P:${principal}`, await requestLimitOf(principal, now), 60, now)
}

export function rateLimitHeaders(count: WindowCount): Record<string, string> {
  return {
    'x-ratelimit-limit': String(count.limit),
    'x-ratelimit-remaining': String(count.remaining),
    'x-ratelimit-reset': String(count.reset),
  }
}

export function throwIfExceeded(count: WindowCount, now = Date.now()) {
  if (count.exceeded) throw rateLimited(Math.max(1, count.reset - Math.floor(now / 1000)))
}

/** Counts a login attempt against the account (by email, hashed: no address is stored) and the source. */
export async function limitLogin(email: string, sourceIp: string) {
  const now = Date.now()
  const { perAccount, perSource } = loginLimits()
  const [account, source] = await Promise.all([
    countInWindow(`L:${sha256Hex(email.toLowerCase())}`, perAccount.limit, perAccount.windowS, now),
    countInWindow(`LIP:${sourceIp}`, perSource.limit, perSource.windowS, now),
  ])
  throwIfExceeded(account, now)
  throwIfExceeded(source, now)
}
