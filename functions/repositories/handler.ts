import { type Handlers, lambda, notBuilt } from '../../shared/http/lambda.js'
import { repositoryRoutes } from '../../shared/routes/index.js'

// TODO(#5, #6, #7 and #8): every route of this group answers 501 not_implemented until its issue lands.
export const handler = lambda(repositoryRoutes, {
  listRepositories: notBuilt,
  createRepository: notBuilt,
  getRepository: notBuilt,
  updateRepository: notBuilt,
  deleteRepository: notBuilt,
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
  listEvents: notBuilt,
} satisfies Handlers<typeof repositoryRoutes>)
