// Resource ids (DESIGN.md "The HTTP contract"): a type prefix and a ULID, so ids sort by creation time,
// say what they name, and reveal nothing else.
import { monotonicFactory } from 'ulid'
import * as z from './zod.js'
import { withMeta } from './zod.js'

export const idPrefixes = {
  workspace: 'ws',
  user: 'usr',
  project: 'prj',
  repository: 'repo',
  upload: 'upl',
  scan: 'scan',
  finding: 'fnd',
  apiKey: 'key',
  session: 'ses',
  event: 'evt',
  dismissalRequest: 'dsr',
  suppression: 'sup',
  /** A signed-in session (login → refresh → logout); `ses_` belongs to the legacy upload sessions. */
  login: 'lgn',
} as const
export type IdKind = keyof typeof idPrefixes

// Typed as plain strings, as they always were: classic zod's `.meta()` after `.brand()` dropped the brand
// from the type. Branding them for real is its own change, through every module that handles ids.
const idSchema = (kind: IdKind) =>
  withMeta(
    z
      .string()
      .check(
        z.regex(
          new RegExp(`^${idPrefixes[kind]}_[0-9A-HJKMNP-TV-Z]{26}$`),
          `must be a ${kind} id (${idPrefixes[kind]}_…)`,
        ),
      ),
    { description: `${kind} id`, example: `${idPrefixes[kind]}_01JABCDEFGHJKMNPQRSTVWXYZ0` },
  )

export const WorkspaceId = idSchema('workspace')
export type WorkspaceId = z.infer<typeof WorkspaceId>
export const UserId = idSchema('user')
export type UserId = z.infer<typeof UserId>
export const ProjectId = idSchema('project')
export type ProjectId = z.infer<typeof ProjectId>
export const RepositoryId = idSchema('repository')
export type RepositoryId = z.infer<typeof RepositoryId>
export const UploadId = idSchema('upload')
export type UploadId = z.infer<typeof UploadId>
export const ScanId = idSchema('scan')
export type ScanId = z.infer<typeof ScanId>
export const FindingId = idSchema('finding')
export type FindingId = z.infer<typeof FindingId>
export const ApiKeyId = idSchema('apiKey')
export type ApiKeyId = z.infer<typeof ApiKeyId>
export const SessionId = idSchema('session')
export type SessionId = z.infer<typeof SessionId>
export const EventId = idSchema('event')
export type EventId = z.infer<typeof EventId>
export const DismissalRequestId = idSchema('dismissalRequest')
export type DismissalRequestId = z.infer<typeof DismissalRequestId>
export const SuppressionId = idSchema('suppression')
export type SuppressionId = z.infer<typeof SuppressionId>

export const LoginId = idSchema('login')
export type LoginId = z.infer<typeof LoginId>

// Monotonic: two ids made in the same millisecond still sort in the order they were made.
const ulid = monotonicFactory()

export function newId<K extends IdKind>(kind: K): string & z.$brand<K> {
  return `${idPrefixes[kind]}_${ulid()}` as string & z.$brand<K>
}
