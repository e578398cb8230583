// The zod every Lambda bundles: zod/mini (functions instead of methods; about 40 KB with all Vega uses,
// where classic zod is 450 KB and 100 ms of cold start), set up once. Import it from here, never from
// 'zod' or 'zod/mini' (a dependency-cruiser rule):
//   import * as z from '../zod.js'
// zod/mini loads no locale: without this module its issues would say "Invalid input" where the
// contract's 422 answers spell out what was expected. (A namespace import keeps the bundle to what is
// used; `export * as z` here would carry all of zod/mini and its 40 locales into every bundle.)

import type { core } from 'zod/mini'
import { clone, config, enum as enumOf, globalRegistry } from 'zod/mini'
import en from 'zod/v4/locales/en.js'

config(en())

export * from 'zod/mini'
// What zod/mini's `core` namespace holds that code uses as a value: through the namespace it would bundle all of core.
export { $ZodError } from 'zod/v4/core'

/**
 * Classic zod's `.meta()`: a copy of the schema carrying OpenAPI metadata (a component id, a description,
 * an example), the original left as it was. Not the `z.meta()` check, which object schemas could then no
 * longer `pick`, `omit` or `extend`.
 */
export function withMeta<T extends core.$ZodType>(schema: T, meta: core.GlobalMeta): T {
  const copy = clone(schema)
  globalRegistry.add(copy, meta)
  return copy
}

/** Classic zod's `enum.exclude()`: the enum of `values` without the `excluded` ones. */
export function enumWithout<const T extends readonly string[], const E extends T[number]>(
  values: T,
  excluded: readonly E[],
) {
  return enumOf(
    values.filter((value): value is Exclude<T[number], E> => !(excluded as readonly string[]).includes(value)),
  )
}
