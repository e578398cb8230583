// Limits and quotas per workspace: defaults in configuration, the workspace's own overrides stored with
// it, enforced where they apply (upload creation, push, scan start, the rate limiter).
import { config } from '../config.js'
import {
  getWorkspaceLimits,
  type LimitName,
  limitNames,
  listActiveScans,
  scansQueuedOn,
  utcDay,
} from '../data/quotas.js'
import { listAggregates } from '../data/usage.js'
import { costLimitExceeded, quotaExceeded } from '../http/errors.js'
import type { WorkspaceId } from '../ids.js'
import { amountOf, currency, type Estimate, toMicros } from './prices.js'

export const limitUnits: Record<LimitName, string> = {
  git_push_max_bytes: 'bytes',
  bundle_max_bytes: 'bytes',
  archive_max_bytes: 'bytes',
  scans_per_day: 'scans per UTC day',
  concurrent_scans: 'scans queued or running',
  requests_per_minute: 'requests per minute per user or key',
  retention_days: 'days',
}

export function defaultLimits(): Record<LimitName, number> {
  const c = config()
  return {
    git_push_max_bytes: c.GIT_PUSH_MAX_BYTES,
    bundle_max_bytes: c.BUNDLE_MAX_BYTES,
    archive_max_bytes: c.ARCHIVE_MAX_BYTES,
    scans_per_day: c.SCANS_PER_DAY,
    concurrent_scans: c.CONCURRENT_SCANS,
    requests_per_minute: c.RATE_LIMIT_PER_MINUTE,
    retention_days: c.RETENTION_DAYS,
  }
}

export interface EffectiveLimits {
  values: Record<LimitName, number>
  overridden: Set<LimitName>
  /** In the price table's currency; null when there is none. */
  monthly_budget: number | null
  budget_overridden: boolean
}

export async function limitsOf(workspace: WorkspaceId): Promise<EffectiveLimits> {
  const stored = await getWorkspaceLimits(workspace)
  const values = defaultLimits()
  const overridden = new Set<LimitName>()
  for (const name of limitNames) {
    const own = stored?.overrides[name]
    if (own !== undefined) {
      values[name] = own
      overridden.add(name)
    }
  }
  const budgetSet = stored !== undefined && stored.monthly_budget !== undefined
  return {
    values,
    overridden,
    monthly_budget: budgetSet ? (stored.monthly_budget ?? null) : (config().MONTHLY_BUDGET ?? null),
    budget_overridden: budgetSet,
  }
}

/** What the workspace's scans cost so far this UTC month, in micro-units (one aggregate read). */
export async function spentThisMonth(workspace: WorkspaceId, now = Date.now()): Promise<number> {
  const month = utcDay(now).slice(0, 7)
  const [aggregate] = await listAggregates(workspace, 'M', 'WS', month, month)
  return aggregate?.cost_micros ?? 0
}

const secondsToNextMonth = (now = Date.now()) => {
  const next = new Date(now)
  next.setUTCMonth(next.getUTCMonth() + 1, 1)
  next.setUTCHours(0, 0, 0, 0)
  return Math.max(1, Math.ceil((next.getTime() - now) / 1000))
}

const secondsToMidnight = (now = Date.now()) => {
  const midnight = new Date(now)
  midnight.setUTCHours(24, 0, 0, 0)
  return Math.max(1, Math.ceil((midnight.getTime() - now) / 1000))
}

/** Refuses when the scan's estimate passes the request's max_cost or what is left of the month's budget. */
export async function checkCost(workspace: WorkspaceId, limits: EffectiveLimits, cost: Estimate, maxCost?: number) {
  if (maxCost !== undefined && cost.micros > toMicros(maxCost)) {
    throw costLimitExceeded(
      'max_cost',
      `The scan's estimated cost ${cost.amount} ${cost.currency} is over its max_cost ${maxCost}`,
      { estimate: cost.amount, max_cost: maxCost, currency: cost.currency, input_bytes: cost.input_bytes },
    )
  }
  if (limits.monthly_budget === null) return
  const spent = await spentThisMonth(workspace)
  if (spent + cost.micros > toMicros(limits.monthly_budget)) {
    throw costLimitExceeded(
      'monthly_budget',
      `The scan's estimated cost ${cost.amount} ${cost.currency} would take the month's spending past the workspace's budget of ${limits.monthly_budget}`,
      {
        estimate: cost.amount,
        budget: limits.monthly_budget,
        spent: amountOf(spent),
        remaining: Math.max(0, amountOf(toMicros(limits.monthly_budget) - spent)),
        currency: currency(),
      },
      secondsToNextMonth(),
    )
  }
}

/** Refuses a new scan when today's scans or the scans in flight are at their limits. */
export async function checkScanQuotas(workspace: WorkspaceId, limits: EffectiveLimits, now = Date.now()) {
  const [today, active] = await Promise.all([scansQueuedOn(workspace, utcDay(now)), listActiveScans(workspace)])
  if (today >= limits.values.scans_per_day) throw scansPerDayExceeded(limits.values.scans_per_day, now)
  if (active.length >= limits.values.concurrent_scans) {
    throw quotaExceeded('concurrent_scans', 30, {
      limit_value: limits.values.concurrent_scans,
      used: active.length,
      message: 'Wait for a queued or running scan to finish, or cancel one',
    })
  }
}

export const scansPerDayExceeded = (limit: number, now = Date.now()) =>
  quotaExceeded('scans_per_day', secondsToMidnight(now), { limit_value: limit, used: limit })

/** Refuses an upload when the day's scans are used up or the month's budget is spent: its push would be refused. */
export async function checkUploadQuotas(workspace: WorkspaceId, limits: EffectiveLimits, now = Date.now()) {
  const today = await scansQueuedOn(workspace, utcDay(now))
  if (today >= limits.values.scans_per_day) throw scansPerDayExceeded(limits.values.scans_per_day, now)
}
