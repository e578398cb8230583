// Rate limits: per principal on every authenticated request, and per account and per source address on
// login (so guessing one account's password, or many accounts' from one address, is slow).
import { config } from '../config.js'
import { countInWindow, type WindowCount } from '../data/rate-limits.js'
import { rateLimited } from '../http/errors.js'
import { sha256Hex } from './api-key-format.js'

export const loginLimits = {
  perAccount: { limit: 10, windowS: 15 * 60 },
  perSource: { limit: 50, windowS: 15 * 60 },
}

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
  const [account, source] = await Promise.all([
    countInWindow(
      `L:${sha256Hex(email.toLowerCase())}`,
      loginLimits.perAccount.limit,
      loginLimits.perAccount.windowS,
      now,
    ),
    countInWindow(`LIP:${sourceIp}`, loginLimits.perSource.limit, loginLimits.perSource.windowS, now),
  ])
  throwIfExceeded(account, now)
  throwIfExceeded(source, now)
}
