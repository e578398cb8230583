// Path parameters and limits several route groups share.
import {
  DismissalRequestId,
  FindingId,
  ProjectId,
  RepositoryId,
  ScanId,
  UploadId,
  UserId,
  WorkspaceId,
} from '../ids.js'
import * as z from '../zod.js'

/** A project in the path. */
export const project = z.object({ id: ProjectId })
/** A repository in the path. */
export const repository = z.object({ id: RepositoryId })
/** A repository's scan in the path. */
export const scan = z.object({ id: RepositoryId, scanId: ScanId })
/** A scan named by its id alone, wherever its repository is. */
export const scanAnywhere = z.object({ scanId: ScanId })
/** A repository's finding in the path. */
export const finding = z.object({ id: RepositoryId, findingId: FindingId })
/** A git upload in the path. */
export const upload = z.object({ id: UploadId })
/** Bodies reach Lambda base64-encoded inside its 6 MB payload: 4 MiB of JSON is what fits with room to spare. */
export const largeJsonBytes = 4 * 1024 * 1024
/** A dismissal request in the path. */
export const dismissal = z.object({ id: DismissalRequestId })
/** A workspace in the path. */
export const workspace = z.object({ id: WorkspaceId })
/** A workspace's member in the path. */
export const member = z.object({ id: WorkspaceId, userId: UserId })
/** Who may call billing and ops routes (docs/billing.md), for their descriptions. */
export const billingAccess =
  'Owners and admins of the workspace (signed in, or a personal key with the scope), or a workspace key with the scope.'
