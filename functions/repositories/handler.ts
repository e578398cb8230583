import {
  create,
  events,
  findRepository,
  list,
  remove,
  toRepository,
  update,
} from '../../shared/catalog/repositories.js'
import { type Handlers, lambda, notBuilt } from '../../shared/http/lambda.js'
import { repositoryRoutes } from '../../shared/routes/index.js'

export const handler = lambda(repositoryRoutes, {
  listRepositories: async (request) => request.paged(await list(request, request.query.project_id, request.page)),
  createRepository: (request) => create(request, request.body),
  getRepository: async (request) => toRepository(await findRepository(request, request.params.id)),
  updateRepository: (request) => update(request, request.params.id, request.body),
  deleteRepository: async (request) => {
    await remove(request, request.params.id)
  },
  listEvents: async (request) => request.paged(await events(request, request.params.id, request.page)),
  // TODO(#6, #7, #8): scans, findings, compare and suppressions arrive with their issues.
  listScans: notBuilt,
  createScan: notBuilt,
  getScan: notBuilt,
  cancelScan: notBuilt,
  retryScan: notBuilt,
  getScanSarif: notBuilt,
  listFindings: notBuilt,
  getFinding: notBuilt,
  updateFinding: notBuilt,
  compareScans: notBuilt,
  listSuppressions: notBuilt,
  createSuppression: notBuilt,
  deleteSuppression: notBuilt,
} satisfies Handlers<typeof repositoryRoutes>)
