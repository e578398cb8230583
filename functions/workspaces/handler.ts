import { type Handlers, lambda, notBuilt } from '../../shared/http/lambda.js'
import { workspaceRoutes } from '../../shared/routes/index.js'

// TODO(#4): every route of this group answers 501 not_implemented until its issue lands.
export const handler = lambda(workspaceRoutes, {
  listWorkspaces: notBuilt,
  getWorkspace: notBuilt,
  listMembers: notBuilt,
  addMember: notBuilt,
  updateMember: notBuilt,
  removeMember: notBuilt,
} satisfies Handlers<typeof workspaceRoutes>)
