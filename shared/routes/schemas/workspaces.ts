// Workspaces and their members.
import { memberRecord } from '../../data/users.js'
import { workspaceRecord } from '../../data/workspaces.js'
import * as z from '../../zod.js'
import { withMeta } from '../../zod.js'
import { Name, Role } from './common.js'
import { Timestamp } from './timestamp.js'

export const Workspace = withMeta(
  z.extend(z.pick(workspaceRecord, { id: true, name: true }), { role: Role, created_at: Timestamp }),
  { id: 'Workspace' },
)
export const Member = withMeta(
  z.extend(z.pick(memberRecord, { user_id: true, name: true, role: true }), { email: z.email(), added_at: Timestamp }),
  { id: 'Member' },
)
export const AddMember = z.strictObject({
  email: z.email().check(z.maxLength(254)),
  name: z.optional(Name),
  role: Role,
})
export const AddedMember = withMeta(
  z.extend(Member, {
    setup_token: withMeta(z.nullable(z.string()), {
      description: 'A new user’s one-time password-setup token; null for an existing user and in a replayed answer',
    }),
  }),
  { id: 'AddedMember' },
)
export const UpdateMember = z.strictObject({ role: Role })
