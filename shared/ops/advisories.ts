// Who may import advisories: they serve every workspace's scans, so an operator's concern.
import { workspaceFor } from '../billing/access.js'
import type { Access } from '../catalog/access.js'
import { config } from '../config.js'
import type { WorkspaceId } from '../ids.js'

/** Checks the caller is an admin (or an ops workspace key) of the operator's workspace, if one is set. */
export async function mayImportAdvisories(access: Access): Promise<void> {
  await workspaceFor(access, config().OPERATOR_WORKSPACE_ID as WorkspaceId | undefined)
}
