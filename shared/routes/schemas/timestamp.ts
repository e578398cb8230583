// The timestamp every answer uses, in a module of its own: the groups whose shapes need nothing else of
// common.ts (git uploads, ops, sessions, docs) bundle none of it.
import * as z from '../../zod.js'
import { withMeta } from '../../zod.js'

export const Timestamp = withMeta(z.iso.datetime(), {
  description: 'ISO 8601 UTC',
  example: '2026-11-24T09:30:00.000Z',
})
