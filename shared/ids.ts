// Resource ids (DESIGN.md "The HTTP contract"): a type prefix and a ULID, so ids sort by creation time,
// say what they name, and reveal nothing else.
import { createHash } from 'node:crypto'
import { monotonicFactory, type ULIDFactory } from 'ulid'
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
  /** A webhook endpoint of a workspace. */
  webhook: 'whk',
  /** One occurrence told to webhooks (a scan finishing, a key revoked); derived from the occurrence. */
  webhookEvent: 'whe',
  /** One event sent to one webhook, with its attempts; a redelivery is a delivery of its own. */
  webhookDelivery: 'whd',
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
export const WebhookId = idSchema('webhook')
export type WebhookId = z.infer<typeof WebhookId>
export const WebhookEventId = idSchema('webhookEvent')
export type WebhookEventId = z.infer<typeof WebhookEventId>
export const WebhookDeliveryId = idSchema('webhookDelivery')
export type WebhookDeliveryId = z.infer<typeof WebhookDeliveryId>

// Monotonic: two ids made in the same millisecond still sort in the order they were made. Made on the
// first new id, so a function whose routes only read (the overview) bundles no ulid.
let ulid: ULIDFactory | undefined

export function newId<K extends IdKind>(kind: K): string & z.$brand<K> {
  ulid ??= monotonicFactory()
  return `${idPrefixes[kind]}_${ulid()}` as string & z.$brand<K>
}

const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

/**
 * An id derived from what it names rather than drawn at random: the same parts always give the same id,
 * so two workers (or a redelivered message) that meet one occurrence name one item and a conditional
 * put keeps it single. 26 characters of a SHA-256 in the ULID alphabet; such ids do not sort by time.
 */
export function derivedId<K extends IdKind>(kind: K, ...parts: string[]): string & z.$brand<K> {
  const digest = createHash('sha256').update(parts.join('\0')).digest()
  let bits = 0n
  for (const byte of digest.subarray(0, 17)) bits = (bits << 8n) | BigInt(byte)
  let id = ''
  // 26 characters of 5 bits; the first is kept under 8, as in a ULID.
  for (let i = 25; i >= 0; i--) id += crockford[Number((bits >> BigInt(i * 5)) & (i === 25 ? 7n : 31n))]
  return `${idPrefixes[kind]}_${id}` as string & z.$brand<K>
}
