// The pieces of the wire shapes (DESIGN.md "Resource shapes") that most groups use: names, lists, the
// closed sets. Timestamps, which every group answers, are timestamp.ts; pieces only a few groups use have
// modules of their own (money.ts, timestamp-input.ts). Each group's own shapes are in the module named
// after it, so a function bundles and builds only the schemas of its own routes (docs/decisions.md, Cold
// starts). Field names are part of the contract; inputs are strict, so a misspelt field is a 422, not
// ignored. Answers about stored things derive from their records (shared/data), so a field is declared
// once; the wire adds what only it knows: timestamps' format, computed fields, examples.
import { roles } from '../../grants.js'
import { severities } from '../../scanning/engine.js'
import * as z from '../../zod.js'
import { withMeta } from '../../zod.js'

/** The first name of `created_at` on events and usage lines, answered alongside it until its sunset. */
export const DeprecatedAt = withMeta(z.iso.datetime(), {
  description: 'The same as created_at, which every record uses; answered until 2027-06-30',
  deprecated: true,
})
export const Name = z.string().check(z.trim(), z.minLength(1), z.maxLength(100))
export const Description = z.string().check(z.maxLength(2000))
// Lists (DESIGN.md "Lists"): ?limit=1..200 (default 50) and an opaque signed cursor.
export const PageQuery = z.object({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(200)), 50),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
})
export const page = <T extends z.core.$ZodType>(item: T) =>
  z.object({ items: z.array(item), next_cursor: z.nullable(z.string()) })
export const Role = z.enum(roles)
export const Severity = z.enum(severities)
export const Engine = z.string().check(z.regex(/^(secrets|code|dependencies|sarif:[\w.-]{1,64})$/))
export const SeverityCounts = z.object({
  critical: z.number(),
  high: z.number(),
  medium: z.number(),
  low: z.number(),
  info: z.number(),
})
/** `?format=csv` on the routes that answer CSV too. */
export const CsvFormat = withMeta(z.optional(z.enum(['json', 'csv'])), {
  description: 'csv answers text/csv as Accept: text/csv does; given, it wins over Accept',
})
