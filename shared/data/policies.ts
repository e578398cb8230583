// Scan policies: one item per workspace or project that has one.
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb'
import { documents } from '../aws/clients.js'
import type { Policy } from '../findings/policy.js'
import type { ProjectId, WorkspaceId } from '../ids.js'
import { tableName } from './db.js'
import { keys } from './keys.js'

export async function getPolicy(owner: WorkspaceId | ProjectId): Promise<Policy | undefined> {
  const { Item } = await documents().send(
    new GetCommand({ TableName: tableName(), Key: keys.policy(owner), ConsistentRead: true }),
  )
  return Item ? { rules: Item.rules, default: Item.default } : undefined
}

export async function putPolicy(owner: WorkspaceId | ProjectId, policy: Policy, by: string): Promise<void> {
  await documents().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...keys.policy(owner), ...policy, updated_by: by, updated_at: new Date().toISOString() },
    }),
  )
}

export async function deletePolicy(owner: WorkspaceId | ProjectId): Promise<void> {
  await documents().send(new DeleteCommand({ TableName: tableName(), Key: keys.policy(owner) }))
}
