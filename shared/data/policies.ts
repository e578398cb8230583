// Scan policies: one item per workspace or project that has one.
import { documents } from '../aws/clients.js'
import type { ProjectId, WorkspaceId } from '../ids.js'
import { severities } from '../scanning/engine.js'
import { reachabilities } from '../scanning/engines/dependencies/types.js'
import * as z from '../zod.js'
import { commands, getItem, recordOf, tableName } from './db.js'
import * as keys from './keys.js'
import { contextFilterValues, policyEffects, scopeFilterValues } from './policy-values.js'

const Severity = z.enum(severities)
const ContextValue = z.enum(contextFilterValues)
const Effect = z.enum(policyEffects)
const policyCondition = z.union([
  z.strictObject({ field: z.literal('severity'), operator: z.enum(['eq', 'ne', 'gte', 'lte']), value: Severity }),
  z.strictObject({
    field: z.literal('severity'),
    operator: z.literal('in'),
    value: z.array(Severity).check(z.minLength(1)),
  }),
  z.strictObject({
    field: z.enum(['engine', 'rule', 'status']),
    operator: z.enum(['eq', 'ne']),
    value: z.string().check(z.minLength(1), z.maxLength(200)),
  }),
  z.strictObject({
    field: z.enum(['engine', 'rule', 'status']),
    operator: z.literal('in'),
    value: z.array(z.string().check(z.minLength(1), z.maxLength(200))).check(z.minLength(1), z.maxLength(50)),
  }),
  z.strictObject({
    field: z.literal('path'),
    operator: z.enum(['glob', 'prefix']),
    value: z.string().check(z.minLength(1), z.maxLength(1024)),
  }),
  /** Where the finding sits: a context, or `none` for the product's own code. */
  z.strictObject({ field: z.literal('context'), operator: z.enum(['eq', 'ne']), value: ContextValue }),
  z.strictObject({
    field: z.literal('context'),
    operator: z.literal('in'),
    value: z.array(ContextValue).check(z.minLength(1), z.maxLength(6)),
  }),
  /**
   * A dependency finding's import reachability and scope (`unknown` for other findings, and where the
   * lockfile or the tree cannot tell): a policy may let unimported or dev-only packages warn, not block.
   */
  z.strictObject({ field: z.literal('reachable'), operator: z.enum(['eq', 'ne']), value: z.enum(reachabilities) }),
  z.strictObject({ field: z.literal('scope'), operator: z.enum(['eq', 'ne']), value: z.enum(scopeFilterValues) }),
  /** New: not seen by the baseline (the repository's previous successful scan). */
  z.strictObject({ field: z.literal('new'), operator: z.literal('eq'), value: z.boolean() }),
])

/** A policy as stored and as the API takes it (routes/schemas/triage.ts `Policy` is this schema). */
export const policyRecord = z.strictObject({
  /** Rules in order: the first whose conditions all hold decides a finding's effect. */
  rules: z
    .array(
      z.strictObject({
        name: z.string().check(z.minLength(1), z.maxLength(100)),
        effect: Effect,
        conditions: z.array(policyCondition).check(z.maxLength(10)),
      }),
    )
    .check(z.maxLength(50)),
  /** The effect on a finding no rule matches. */
  default: Effect,
})
export type Policy = z.infer<typeof policyRecord>

export async function getPolicy(owner: WorkspaceId | ProjectId): Promise<Policy | undefined> {
  const Item = await getItem(keys.policy(owner), { consistent: true })
  return Item ? recordOf(policyRecord, { rules: Item.rules, default: Item.default }) : undefined
}

export async function putPolicy(owner: WorkspaceId | ProjectId, policy: Policy, by: string): Promise<void> {
  await documents().send(
    new (commands().PutCommand)({
      TableName: tableName(),
      Item: { ...keys.policy(owner), ...policy, updated_by: by, updated_at: new Date().toISOString() },
    }),
  )
}

export async function deletePolicy(owner: WorkspaceId | ProjectId): Promise<void> {
  await documents().send(new (commands().DeleteCommand)({ TableName: tableName(), Key: keys.policy(owner) }))
}
