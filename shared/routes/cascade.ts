// `?cascade=true` on the deletes of projects and repositories. A module of its own: `z.stringbool()`
// brings about 2 KB of zod (codecs) that no other group's bundle needs.
import * as z from '../zod.js'

/** `?cascade=true`: delete what hangs off too. */
export const cascade = z.object({ cascade: z._default(z.stringbool(), false) })
