// Rate limits: per principal on every authenticated request, and per account and per source address on
// login (so guessing one account's password, or many accounts' from one address, is slow).
import { config } from '../config.js'
import { sha256Hex } from '../crypto/api-key-format.js'
import { countInWindow, getRateOverrides, hitsInWindow, type WindowCount } from '../data/rate-limits.js'
import { rateLimited } from '../http/errors.js'

const loginWindowS = 15 * 60
export const loginLimits = () => ({
  perAccountSource: { limit: config().LOGIN_LIMIT_PER_ACCOUNT_SOURCE, windowS: loginWindowS },
  perAccount: { limit: config().LOGIN_LIMIT_PER_ACCOUNT, windowS: loginWindowS },
  slowed: { limit: config().LOGIN_SLOWED_PER_MINUTE, windowS: 60 },
  perSource: { limit: config().LOGIN_LIMIT_PER_SOURCE, windowS: loginWindowS },
})
/** How long a source address an account signed in from stays in good standing for that account. */
const goodStandingS = 30 * 24 * 3600

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

/**
 * Counts a login attempt, and refuses it (429) past a limit. Built so an attacker cannot lock the owner
 * out: a source that fails too often is refused for that account only; many sources guessing one
 * account slow down the sources the account never signed in from, while a source in good standing (a
 * successful sign-in to this account within 30 days) keeps its own allowance. Emails and addresses are
 * stored only as SHA-256, and an unknown email is counted exactly as a known one.
 */
export async function limitLogin(email: string, sourceIp: string) {
  const now = Date.now()
  const limits = loginLimits()
  const { account, pair } = loginSubjects(email, sourceIp)
  const [fromSource, anyAccount, standing] = await Promise.all([
    countInWindow(`L:${pair}`, limits.perAccountSource.limit, limits.perAccountSource.windowS, now),
    countInWindow(`LIP:${sourceIp}`, limits.perSource.limit, limits.perSource.windowS, now),
    inGoodStanding(pair, now),
  ])
  throwIfExceeded(fromSource, now)
  throwIfExceeded(anyAccount, now)
  if (standing) return
  const fromNewSources = await countInWindow(`L:${account}`, limits.perAccount.limit, limits.perAccount.windowS, now)
  if (!fromNewSources.exceeded) return
  throwIfExceeded(await countInWindow(`LS:${account}`, limits.slowed.limit, limits.slowed.windowS, now), now)
}

/** After a successful sign-in: the source is in good standing for this account for 30 days. */
export async function rememberLoginSource(email: string, sourceIp: string) {
  const { pair } = loginSubjects(email, sourceIp)
  await countInWindow(`LOK:${pair}`, Number.MAX_SAFE_INTEGER, goodStandingS)
}

function loginSubjects(email: string, sourceIp: string) {
  const account = sha256Hex(email.toLowerCase())
  return { account, pair: `${account}:${sha256Hex(sourceIp)}` }
}

// Fixed windows: the one now and the one before, so a source stays known across a window's end.
async function inGoodStanding(pair: string, now: number): Promise<boolean> {
  const [current, previous] = await Promise.all([
    hitsInWindow(`LOK:${pair}`, goodStandingS, now),
    hitsInWindow(`LOK:${pair}`, goodStandingS, now - goodStandingS * 1000),
  ])
  return current + previous > 0
}
