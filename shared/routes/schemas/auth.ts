// Who calls and their tokens (the auth group). Health and Readiness live with their routes (routes/health.ts).
import { UserId, WorkspaceId } from '../../ids.js'
import * as z from '../../zod.js'
import { withMeta } from '../../zod.js'
import { Role } from './common.js'

export const Membership = z.object({ workspace_id: WorkspaceId, role: Role })
export const User = withMeta(
  z.object({
    id: UserId,
    email: z.email(),
    name: z.string(),
    memberships: z.array(Membership),
    auth: z.enum(['token', 'api_key']),
  }),
  { id: 'User' },
)
export const Login = z.strictObject({
  email: z.email().check(z.maxLength(254)),
  password: z.string().check(z.minLength(1), z.maxLength(1024)),
})
export const Refresh = z.strictObject({ refresh_token: z.string().check(z.minLength(1), z.maxLength(512)) })
export const Tokens = withMeta(
  z.object({
    access_token: z.string(),
    refresh_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().check(z.int()),
  }),
  { id: 'Tokens' },
)
export const SetPassword = withMeta(
  z.strictObject({
    new_password: z.string().check(z.minLength(12), z.maxLength(1024)),
    setup_token: z.optional(z.string().check(z.maxLength(512))),
    old_password: z.optional(z.string().check(z.maxLength(1024))),
  }),
  { description: 'Either a one-time setup_token or the old_password' },
)
