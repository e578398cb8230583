// What several route groups share besides schemas: a body limit, and who may call billing and ops routes.
// (Path parameters live with the routes of their group.)

/** Bodies reach Lambda base64-encoded inside its 6 MB payload: 4 MiB of JSON is what fits with room to spare. */
export const largeJsonBytes = 4 * 1024 * 1024
/** Who may call billing and ops routes (docs/billing.md), for their descriptions. */
export const billingAccess =
  'Owners and admins of the workspace (signed in, or a personal key with the scope), or a workspace key with the scope.'
