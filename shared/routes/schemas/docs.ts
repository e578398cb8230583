// The deprecations list the docs group serves.
import * as z from '../../zod.js'
import { withMeta } from '../../zod.js'
import { Timestamp } from './timestamp.js'

export const Deprecation = withMeta(
  z.object({
    feature: z.string(),
    routes: z.array(z.string()),
    deprecated_at: Timestamp,
    sunset_at: Timestamp,
    replacement: z.string(),
    link: z.string(),
  }),
  { id: 'Deprecation' },
)
