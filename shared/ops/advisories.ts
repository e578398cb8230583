// Who may import advisories: they serve every workspace's scans, so an operator's concern.

import type { Access } from '../auth/access.js'
import { workspaceFor } from '../auth/access.js'
import { config } from '../config.js'
import { ApiError, forbidden } from '../http/errors.js'
import type { WorkspaceId } from '../ids.js'

/** Checks the caller is an admin (or an ops workspace key) of the operator's workspace, if one is set. */
export async function mayImportAdvisories(access: Access): Promise<void> {
  const operator = config().OPERATOR_WORKSPACE_ID as WorkspaceId | undefined
  try {
    await workspaceFor(access, operator)
  } catch (error) {
    // Not naming the operator's workspace to someone outside it.
    if (operator && error instanceof ApiError && error.code === 'not_found')
      throw forbidden("Importing advisories is for the operator's workspace")
    throw error
  }
}
