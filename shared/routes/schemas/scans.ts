// Scans and their gates, as projects and repositories answer them.
import { gateRecord, scanRecord, scanStatuses } from '../../data/scans.js'
import { RepositoryId, ScanId, UploadId } from '../../ids.js'
import * as z from '../../zod.js'
import { withMeta } from '../../zod.js'
import { Engine, PageQuery } from './common.js'
import { CostEstimate, Money } from './money.js'
import { Timestamp } from './timestamp.js'

export const ScanStatus = z.enum(scanStatuses)
export const Gate = withMeta(gateRecord, { id: 'Gate' })
export const Scan = withMeta(
  z.object({
    id: ScanId,
    repository_id: RepositoryId,
    upload_id: z.nullable(UploadId),
    status: ScanStatus,
    error: scanRecord.shape.error,
    created_at: Timestamp,
    started_at: z.nullable(Timestamp),
    finished_at: z.nullable(Timestamp),
    stats: scanRecord.shape.stats,
    engines: z.array(Engine),
    /** The CI gate: the policy applied to what this scan saw; null until it succeeds. */
    gate: z.nullable(Gate),
    cost_estimate: z.nullable(CostEstimate),
    cost: withMeta(z.nullable(Money), { description: 'What the scan cost, once it succeeded (docs/billing.md)' }),
    queue_position: withMeta(z.nullable(z.number().check(z.int())), {
      description: 'While queued: scans ahead of it in the queue, plus one',
    }),
    links: withMeta(z.object({ self: z.url(), findings: z.url(), sarif: z.url() }), {
      description: 'The scan by its id alone, the findings it saw, and its SARIF',
    }),
  }),
  { id: 'Scan' },
)
export const ScanQuery = z.extend(PageQuery, { status: z.optional(ScanStatus) })
export const CreateScan = z.strictObject({
  engines: z.optional(z.array(z.enum(['secrets', 'code', 'dependencies'])).check(z.minLength(1))),
  max_cost: z.optional(z.number().check(z.positive())),
})
