// The legacy sessions flow (deprecated).
import { RepositoryId, ScanId, SessionId } from '../../ids.js'
import * as z from '../../zod.js'
import { withMeta } from '../../zod.js'
import { Timestamp } from './timestamp.js'

export const Session = withMeta(
  z.object({
    id: SessionId,
    repository_id: RepositoryId,
    status: z.enum(['awaiting_upload', 'uploaded', 'analyzing', 'done', 'failed', 'expired']),
    upload_url: z.nullable(z.string()),
    expires_at: Timestamp,
    scan_id: z.nullable(ScanId),
  }),
  { id: 'Session', deprecated: true },
)
export const CreateSession = z.strictObject({ repository_id: RepositoryId, format: z.enum(['tar.gz', 'zip']) })
