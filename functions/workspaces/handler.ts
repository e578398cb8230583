import { type Handlers, idempotency, lambda, lists } from '../../shared/api/lambda.js'
import { listMembers } from '../../shared/data/workspaces.js'
import { workspaceRoutes } from '../../shared/routes/workspaces.js'
import { add, changeRole, describeWorkspace, remove, toMember, workspacesOf } from '../../shared/workspaces/members.js'

// Every route on /v1/workspaces/{id} is authorized by lambda() before it runs (the role is in the table).
export const handler = lambda(
  workspaceRoutes,
  {
    listWorkspaces: async ({ actor, page, paged }) => paged(await workspacesOf(actor, page)),

    getWorkspace: async ({ params, authorize }) => describeWorkspace(params.id, await authorize(params.id)),

    listMembers: async ({ params, page, paged }) => {
      const members = await listMembers(params.id, page)
      return paged({ items: members.items.map(toMember), lastKey: members.lastKey })
    },

    addMember: async ({ params, body, authorize }) => add(params.id, await authorize(params.id), body),

    updateMember: async ({ params, body, authorize }) =>
      changeRole(params.id, await authorize(params.id), params.userId, body.role),

    removeMember: async ({ params, authorize }) => {
      await remove(params.id, await authorize(params.id), params.userId)
    },
  } satisfies Handlers<typeof workspaceRoutes>,
  { lists, idempotency },
)
