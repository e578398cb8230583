// Users, their workspaces and memberships: accounts, the seed and the bootstrap command.
import { documents } from '../aws/clients.js'
import { hashPassword } from '../crypto/passwords.js'
import { type Role, roles } from '../grants.js'
import { newId, UserId, WorkspaceId } from '../ids.js'
import * as z from '../zod.js'
import { commands, getItem, getRecord, isConditionFailure, queryRecords, tableName } from './db.js'
import * as keys from './keys.js'

export const userRecord = z.object({
  id: UserId,
  email: z.string(),
  name: z.string(),
  /** Absent until the user sets a password with their setup token. */
  password_hash: z.optional(z.string()),
  created_at: z.string(),
})
export type UserRecord = z.infer<typeof userRecord>

/** A user's membership of a workspace, filed under both (the workspace lists members, the user workspaces). */
export const memberRecord = z.object({
  workspace_id: WorkspaceId,
  user_id: UserId,
  email: z.string(),
  name: z.string(),
  role: z.enum(roles),
  added_at: z.string(),
})
export type MemberRecord = z.infer<typeof memberRecord>
const membershipOfUser = z.pick(memberRecord, { workspace_id: true, role: true })

export interface NewOwner {
  email: string
  name: string
  /** Without one, the user sets it later with a setup token. */
  password?: string
  workspaceName: string
}

/**
 * Creates a user who owns a new workspace, in one transaction, unless a user with that email exists.
 * Safe to run at every start: the email item's condition makes a second run a no-op, even a racing one.
 */
export async function createOwnerIfAbsent(
  owner: NewOwner,
): Promise<{ created: boolean; userId: UserId; workspaceId?: WorkspaceId }> {
  const email = owner.email.toLowerCase()
  const existing = await findUserByEmail(email)
  if (existing) return { created: false, userId: existing.id }

  const userId = newId('user')
  const workspaceId = newId('workspace')
  const now = new Date().toISOString()
  const TableName = tableName()
  const user: UserRecord = { id: userId, email, name: owner.name, created_at: now }
  if (owner.password) user.password_hash = await hashPassword(owner.password)
  try {
    await documents().send(
      new (commands().TransactWriteCommand)({
        TransactItems: [
          {
            Put: {
              TableName,
              Item: { ...keys.userEmail(email), user_id: userId },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          { Put: { TableName, Item: { ...keys.user(userId), ...user } } },
          {
            Put: {
              TableName,
              Item: {
                ...keys.workspace(workspaceId),
                id: workspaceId,
                name: owner.workspaceName,
                owner_count: 1,
                created_at: now,
              },
            },
          },
          { Put: { TableName, Item: membershipItem(workspaceId, user, 'owner', now) } },
        ],
      }),
    )
  } catch (error) {
    // Another process created the same email between our read and our write: theirs stands.
    if (isConditionFailure(error)) {
      const winner = await findUserByEmail(email)
      if (winner) return { created: false, userId: winner.id }
    }
    throw error
  }
  return { created: true, userId, workspaceId }
}

export function membershipItem(
  workspace: WorkspaceId,
  user: Pick<UserRecord, 'id' | 'email' | 'name'>,
  role: Role,
  now: string,
) {
  return {
    ...keys.membership(workspace, user.id),
    workspace_id: workspace,
    user_id: user.id,
    email: user.email,
    name: user.name,
    role,
    added_at: now,
  }
}

export async function findUserByEmail(email: string): Promise<UserRecord | undefined> {
  const Item = await getItem(keys.userEmail(email), { consistent: true })
  return Item ? getUser(Item.user_id as UserId) : undefined
}

export async function getUser(id: UserId): Promise<UserRecord | undefined> {
  return getRecord(userRecord, keys.user(id), { consistent: true })
}

export async function setPasswordHash(id: UserId, passwordHash: string) {
  await documents().send(
    new (commands().UpdateCommand)({
      TableName: tableName(),
      Key: keys.user(id),
      UpdateExpression: 'SET password_hash = :hash',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':hash': passwordHash },
    }),
  )
}

export async function listMembershipsOfUser(user: UserId): Promise<{ workspace_id: WorkspaceId; role: Role }[]> {
  const { gsi1pk, gsi1skPrefix } = keys.membershipsOfUser(user)
  const { items } = await queryRecords(membershipOfUser, { index: 'gsi1', partition: gsi1pk, prefix: gsi1skPrefix })
  return items
}
