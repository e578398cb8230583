// The closed sets a scan policy is written in. Apart from policies.ts, so that the scan record (a gate's
// effects) and the findings filters (contexts) name them without bundling the policy's schema.
import { findingContexts } from '../scanning/engine.js'
import { dependencyScopes } from '../scanning/engines/dependencies/types.js'

/** What a rule does to the findings it matches: fail the gate, note them, or leave them out of it. */
export const policyEffects = ['block', 'warn', 'ignore'] as const
/** A scope condition's values: the scopes, and `unknown` where the lockfile does not say (and for other engines). */
export const scopeFilterValues = [...dependencyScopes, 'unknown'] as const
/** A context condition's values: the contexts, and `none` for the product's own code. */
export const contextFilterValues = [...findingContexts, 'none'] as const
