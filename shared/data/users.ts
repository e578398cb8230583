// Users, their workspaces and memberships: what the local seed and (later) the bootstrap command create.
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb'
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb'
import { hashPassword } from '../auth/passwords.js'
import { documents } from '../aws/clients.js'
import { config } from '../config.js'
import { newId, type UserId, type WorkspaceId } from '../ids.js'
import { keys } from './keys.js'

export interface NewOwner {
  email: string
  name: string
  password: string
  workspaceName: string
}

/**
 * Creates a user who owns a new workspace, in one transaction, unless a user with that email exists.
 * Safe to run at every start: the email item's condition makes a second run a no-op.
 */
export async function createOwnerIfAbsent(owner: NewOwner): Promise<{ created: boolean; userId: UserId }> {
  const existing = await findUserIdByEmail(owner.email)
  if (existing) return { created: false, userId: existing }

  const userId = newId('user')
  const workspaceId = newId('workspace')
  const now = new Date().toISOString()
  const email = owner.email.toLowerCase()
  const TableName = config().TABLE_NAME
  try {
    await documents().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName,
              Item: { ...keys.userEmail(email), user_id: userId },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName,
              Item: {
                ...keys.user(userId),
                id: userId,
                email,
                name: owner.name,
                password_hash: await hashPassword(owner.password),
                created_at: now,
              },
            },
          },
          {
            Put: {
              TableName,
              Item: { ...keys.workspace(workspaceId), id: workspaceId, name: owner.workspaceName, created_at: now },
            },
          },
          {
            Put: {
              TableName,
              Item: {
                ...keys.membership(workspaceId, userId),
                workspace_id: workspaceId,
                user_id: userId,
                role: 'owner',
                added_at: now,
              },
            },
          },
        ],
      }),
    )
  } catch (error) {
    // Another process seeded the same email between our read and our write: theirs stands.
    if (error instanceof TransactionCanceledException) {
      const winner = await findUserIdByEmail(email)
      if (winner) return { created: false, userId: winner }
    }
    throw error
  }
  return { created: true, userId }
}

export async function findUserIdByEmail(email: string): Promise<UserId | undefined> {
  const { Item } = await documents().send(
    new GetCommand({ TableName: config().TABLE_NAME, Key: keys.userEmail(email), ConsistentRead: true }),
  )
  return Item?.user_id as UserId | undefined
}

export async function getUserRecord(id: UserId) {
  const { Item } = await documents().send(new GetCommand({ TableName: config().TABLE_NAME, Key: keys.user(id) }))
  return Item as { id: UserId; email: string; name: string; password_hash: string; created_at: string } | undefined
}

export async function listMembershipsOfUser(user: UserId) {
  const { gsi1pk, gsi1skPrefix } = keys.membershipsOfUser(user)
  const { Items = [] } = await documents().send(
    new QueryCommand({
      TableName: config().TABLE_NAME,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
      ExpressionAttributeValues: { ':pk': gsi1pk, ':prefix': gsi1skPrefix },
    }),
  )
  return Items.map((item) => ({ workspace_id: item.workspace_id as WorkspaceId, role: item.role as string }))
}
