import { conflicting, notFound } from '../errors.js'
import type { Role } from '../grants.js'
import { newId, type UserId, WorkspaceId } from '../ids.js'
import * as z from '../zod.js'
import {
  addToCounter,
  claimKey,
  deleteWhen,
  getItems,
  getRecord,
  type Page,
  type PageRequest,
  primaryKey,
  queryRecords,
  recordOf,
  type TransactItems,
  tableName,
  transact,
  under,
} from './db.js'
import * as keys from './keys.js'
import { setupTokenItem } from './logins.js'
import { findUserByEmail, type MemberRecord, memberRecord, membershipItem } from './users.js'

export type { MemberRecord }

export const workspaceRecord = z.object({
  id: WorkspaceId,
  name: z.string(),
  owner_count: z.number().check(z.int()),
  created_at: z.string(),
})
export type WorkspaceRecord = z.infer<typeof workspaceRecord>

export async function getWorkspace(id: WorkspaceId): Promise<WorkspaceRecord | undefined> {
  return getRecord(workspaceRecord, keys.workspace(id))
}

export async function getMembership(workspace: WorkspaceId, user: UserId): Promise<MemberRecord | undefined> {
  return getRecord(memberRecord, keys.membership(workspace, user))
}

export async function listMembers(workspace: WorkspaceId, page: PageRequest): Promise<Page<MemberRecord>> {
  return queryRecords(memberRecord, { ...under(keys.membersOf(workspace)), page })
}

/** The caller's workspaces with their role in each, a page of memberships at a time. */
export async function listWorkspacesOf(
  user: UserId,
  page: PageRequest,
): Promise<Page<WorkspaceRecord & { role: Role }>> {
  const { gsi1pk, gsi1skPrefix } = keys.membershipsOfUser(user)
  const { items: memberships, lastKey } = await queryRecords(memberRecord, {
    index: 'gsi1',
    partition: gsi1pk,
    prefix: gsi1skPrefix,
    page,
  })
  if (memberships.length === 0) return { items: [], lastKey }
  const workspaces = (await getItems(memberships.map((item) => keys.workspace(item.workspace_id)))).map((item) =>
    recordOf(workspaceRecord, item),
  )
  const byId = new Map(workspaces.map((workspace) => [workspace.id as string, workspace]))
  const items = memberships.flatMap((membership) => {
    const workspace = byId.get(membership.workspace_id)
    return workspace ? [{ ...workspace, role: membership.role }] : []
  })
  return { items, lastKey }
}

/**
 * Adds a member. A new email becomes a user without a password, who gets a one-time setup token
 * (returned here once, stored only as its SHA-256).
 */
export async function addMember(
  workspace: WorkspaceId,
  member: { email: string; name?: string; role: Role },
): Promise<{ member: MemberRecord; setupToken: string | null }> {
  const email = member.email.toLowerCase()
  const now = new Date().toISOString()
  const TableName = tableName()
  const existing = await findUserByEmail(email)
  const user = existing ?? { id: newId('user'), email, name: member.name ?? email.split('@')[0]!, created_at: now }
  const setup = existing ? undefined : setupTokenItem(user.id)
  const item = membershipItem(workspace, user, member.role, now)
  const items: TransactItems = [
    { Put: { TableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
    ownerCountChange(workspace, member.role === 'owner' ? 1 : 0),
  ]
  if (!existing) {
    items.push(
      claimKey(keys.userEmail(email), { user_id: user.id }),
      { Put: { TableName, Item: { ...keys.user(user.id), ...user } } },
      { Put: { TableName, Item: setup!.item } },
    )
  }
  await transact(items, () => conflicting(`${email} is already a member of workspace ${workspace}, or just became one`))
  return { member: recordOf(memberRecord, item), setupToken: setup?.token ?? null }
}

export async function updateMemberRole(workspace: WorkspaceId, user: UserId, role: Role): Promise<MemberRecord> {
  const current = await getMembership(workspace, user)
  if (!current) throw notFound('Member', user)
  const delta = (role === 'owner' ? 1 : 0) - (current.role === 'owner' ? 1 : 0)
  await transact(
    [
      {
        Update: {
          TableName: tableName(),
          Key: primaryKey(keys.membership(workspace, user)),
          UpdateExpression: 'SET #role = :role',
          ConditionExpression: '#role = :was',
          ExpressionAttributeNames: { '#role': 'role' },
          ExpressionAttributeValues: { ':role': role, ':was': current.role },
        },
      },
      ownerCountChange(workspace, delta),
    ],
    ownersKept,
  )
  return { ...current, role }
}

export async function removeMember(workspace: WorkspaceId, user: UserId): Promise<void> {
  const current = await getMembership(workspace, user)
  if (!current) throw notFound('Member', user)
  await transact(
    [
      deleteWhen(keys.membership(workspace, user), '#role = :was', { ':was': current.role }, { '#role': 'role' }),
      ownerCountChange(workspace, current.role === 'owner' ? -1 : 0),
    ],
    ownersKept,
  )
}

const ownersKept = () => conflicting('A workspace keeps at least one owner, and the member changed meanwhile')

/** Moves the owner count, refusing to take it below one. A zero change still checks the workspace exists. */
function ownerCountChange(workspace: WorkspaceId, delta: number) {
  return delta < 0
    ? addToCounter(keys.workspace(workspace), 'owner_count', delta, 'attribute_exists(pk) AND owner_count > :one', {
        ':one': 1,
      })
    : addToCounter(keys.workspace(workspace), 'owner_count', delta, 'attribute_exists(pk)')
}
