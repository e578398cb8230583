// Rate limits: per principal on every authenticated request, and per account and per source address on
// login (so guessing one account's password, or many accounts' from one address, is slow).
import { config } from '../config.js'
import { countInWindow, type WindowCount } from '../data/rate-limits.js'
import { rateLimited } from '../http/errors.js'
import { sha256Hex } from './api-key-format.js'

const loginWindowS = 15 * 60
export const loginLimits = () => ({
  perAccount: { limit: config().LOGIN_LIMIT_PER_ACCOUNT, windowS: loginWindowS },
  perSource: { limit: config().LOGIN_LIMIT_PER_SOURCE, windowS: loginWindowS },
})

export async function limitRequests(principal: string, now = Date.now()): Promise<WindowCount> {
  return countInWindow(`P:${principal}`, config().RATE_LIMIT_PER_MINUTE, 60, now)
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
