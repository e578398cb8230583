// A timestamp a client sends (an API key's expiry, a suppression's, a findings filter), apart from
// common.ts: its normalising check is code the groups that only answer timestamps do not bundle.
import * as z from '../../zod.js'
import { withMeta } from '../../zod.js'

/** A timestamp a client sends, stored and answered in the one format every other timestamp has (`….000Z`). */
export const TimestampInput = withMeta(
  // zod runs the overwrite even after the format check failed: a value that is no date stays as sent, so
  // the answer is the format's 422 (new Date('yesterday').toISOString() would throw: a 500).
  z.iso
    .datetime({ offset: true })
    .check(z.overwrite((value) => (Number.isNaN(Date.parse(value)) ? value : new Date(value).toISOString()))),
  { description: 'ISO 8601; stored and answered as UTC with milliseconds', example: '2026-11-24T09:30:00.000Z' },
)
