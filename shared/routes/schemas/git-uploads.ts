// Temporary git remotes and bundle uploads.
import { uploadStatuses } from '../../data/uploads.js'
import { RepositoryId, ScanId, UploadId } from '../../ids.js'
import * as z from '../../zod.js'
import { withMeta } from '../../zod.js'
import { CostEstimate } from './money.js'
import { Timestamp } from './timestamp.js'

export const UploadStatus = z.enum(uploadStatuses)
export const GitUpload = withMeta(
  z.object({
    id: UploadId,
    repository_id: RepositoryId,
    status: UploadStatus,
    remote_url: withMeta(z.nullable(z.string()), {
      description: 'Carries the one-time upload token; only in the create answer',
    }),
    bundle_upload_url: z.nullable(z.string()),
    push_max_bytes: withMeta(z.number().check(z.int()), {
      description:
        "The largest pack a git push to remote_url may carry; over it, upload a bundle (git's own output only says HTTP 413)",
    }),
    bundle_max_bytes: withMeta(z.number().check(z.int()), {
      description: 'The largest bundle bundle_upload_url takes',
    }),
    complete_url: withMeta(z.string(), { description: 'POST here after a bundle was PUT to bundle_upload_url' }),
    expires_at: Timestamp,
    scan_id: z.nullable(ScanId),
    cost_estimate: z.nullable(CostEstimate),
  }),
  { id: 'GitUpload' },
)
export const CreateGitUpload = z.strictObject({
  repository_id: RepositoryId,
  expires_in_s: z.optional(z.number().check(z.int(), z.gte(60), z.lte(3600))),
  /** The push is refused if its scan's estimate is above this (docs/billing.md). */
  max_cost: z.optional(z.number().check(z.positive())),
})
export const ExtendGitUpload = z.strictObject({ expires_in_s: z.number().check(z.int(), z.gte(60), z.lte(3600)) })
