// GET and PUT /v1/ops/limits: each limit with its current use; owners set a monthly budget and may
// tighten a limit below the plan's default (raising one is an operator's change: putWorkspaceLimits).

import type { Access } from '../auth/access.js'
import { forgetRequestLimits } from '../auth/limits.js'
import { amountOf, currency } from '../billing/prices.js'
import { defaultLimits, limitsOf, limitUnits, spentThisMonth } from '../billing/quotas.js'
import { listApiKeys } from '../data/api-keys.js'
import type { Page } from '../data/db.js'
import {
  getWorkspaceLimits,
  type LimitName,
  limitNames,
  listActiveScans,
  putWorkspaceLimits,
  scansQueuedOn,
  utcDay,
} from '../data/quotas.js'
import { getRateOverrides, putRateOverrides, requestsThisMinute } from '../data/rate-limits.js'
import { listMembershipsOfUser } from '../data/users.js'
import { listMembers } from '../data/workspaces.js'
import { validationFailed } from '../http/errors.js'
import type { UserId, WorkspaceId } from '../ids.js'

export async function showLimits(access: Access, workspace: WorkspaceId) {
  const { actor } = access
  const subject = actor.kind === 'user' ? actor.userId : `key:${actor.sha256.slice(0, 32)}`
  const [limits, today, active, requests, spent] = await Promise.all([
    limitsOf(workspace),
    scansQueuedOn(workspace, utcDay()),
    listActiveScans(workspace),
    requestsThisMinute(subject),
    spentThisMonth(workspace),
  ])
  const used: Partial<Record<LimitName, number>> = {
    scans_per_day: today,
    concurrent_scans: active.length,
    requests_per_minute: requests,
  }
  return {
    workspace_id: workspace,
    limits: limitNames.map((name) => ({
      name,
      limit: limits.values[name],
      used: used[name] ?? null,
      unit: limitUnits[name],
      source: limits.overridden.has(name) ? ('workspace' as const) : ('default' as const),
    })),
    monthly_budget: {
      amount: limits.monthly_budget,
      currency: currency(),
      spent: amountOf(spent),
      source: limits.budget_overridden ? ('workspace' as const) : ('default' as const),
    },
  }
}

export async function updateLimits(
  access: Access,
  workspace: WorkspaceId,
  change: { limits?: Partial<Record<LimitName, number | null>>; monthly_budget?: number | null },
) {
  const defaults = defaultLimits()
  const stored = await getWorkspaceLimits(workspace)
  const overrides = { ...stored?.overrides }
  const issues: { path: string; message: string }[] = []
  for (const [name, value] of Object.entries(change.limits ?? {}) as [LimitName, number | null][]) {
    if (value === null) delete overrides[name]
    else if (value > defaults[name])
      issues.push({ path: `body.limits.${name}`, message: `at most the default ${defaults[name]}; ask us to raise it` })
    else overrides[name] = value
  }
  if (issues.length) throw validationFailed(issues)
  await putWorkspaceLimits({
    workspace_id: workspace,
    overrides,
    ...(change.monthly_budget !== undefined
      ? { monthly_budget: change.monthly_budget }
      : stored?.monthly_budget !== undefined
        ? { monthly_budget: stored.monthly_budget }
        : {}),
    updated_at: new Date().toISOString(),
  })
  if (change.limits && 'requests_per_minute' in change.limits) {
    await refreshRateOverrides([workspace])
    forgetRequestLimits()
  }
  return showLimits(access, workspace)
}

async function everyPage<T>(read: (startKey?: Page<T>['lastKey']) => Promise<Page<T>>): Promise<T[]> {
  const all: T[] = []
  let startKey: Page<T>['lastKey']
  do {
    const page = await read(startKey)
    all.push(...page.items)
    startKey = page.lastKey
  } while (startKey)
  return all
}

/**
 * The rate limiter counts per user or key before it knows the workspace, so a workspace's
 * requests_per_minute reaches it as limits by subject: its workspace keys get the workspace's limit;
 * a user (and their personal keys) gets the most generous limit of their workspaces. Rebuilt when an
 * owner changes the limit and by every scheduled cleanup (which picks up new members and keys).
 */
export async function refreshRateOverrides(changed: WorkspaceId[] = []): Promise<number> {
  const registry = await getRateOverrides()
  const workspaces = new Set([...Object.keys(registry.workspaces), ...changed] as WorkspaceId[])
  const subjects: Record<string, number> = {}
  const byWorkspace: Record<string, number> = {}
  const limitOf = async (ws: WorkspaceId) =>
    (await getWorkspaceLimits(ws))?.overrides.requests_per_minute ?? defaultLimits().requests_per_minute
  const keySubject = (sha256: string) => `key:${sha256.slice(0, 32)}`
  for (const workspace of workspaces) {
    const limit = (await getWorkspaceLimits(workspace))?.overrides.requests_per_minute
    if (limit === undefined) continue
    byWorkspace[workspace] = limit
    for (const key of await everyPage((startKey) => listApiKeys(workspace, { limit: 100, startKey })))
      subjects[keySubject(key.sha256)] = limit
    for (const member of await everyPage((startKey) => listMembers(workspace, { limit: 100, startKey }))) {
      const user = member.user_id as UserId
      const memberships = await listMembershipsOfUser(user)
      const generous = Math.max(...(await Promise.all(memberships.map((m) => limitOf(m.workspace_id)))))
      subjects[user] = generous
      for (const key of await everyPage((startKey) => listApiKeys(user, { limit: 100, startKey })))
        subjects[keySubject(key.sha256)] = generous
    }
  }
  await putRateOverrides({ subjects, workspaces: byWorkspace })
  return Object.keys(subjects).length
}
