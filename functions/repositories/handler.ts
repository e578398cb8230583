import { type Handlers, idempotency, lambda, lists } from '../../shared/api/lambda.js'
import {
  create,
  events,
  findRepository,
  list,
  remove,
  toRepository,
  update,
} from '../../shared/catalog/repositories.js'
import { cancel, findScan, findScanById, listOfRepository, rescan, retry, toScan } from '../../shared/catalog/scans.js'
import * as findings from '../../shared/findings/read.js'
import * as sarif from '../../shared/findings/sarif-io.js'
import { exportSbom } from '../../shared/findings/sbom.js'
import * as suppressions from '../../shared/findings/suppressions.js'
import * as triage from '../../shared/findings/triage.js'
import { repositoryRoutes } from '../../shared/routes/repositories.js'

export const handler = lambda(
  repositoryRoutes,
  {
    listRepositories: async (request) => request.paged(await list(request, request.query.project_id, request.page)),
    createRepository: (request) => create(request, request.body),
    getRepository: async (request) => toRepository(await findRepository(request, request.params.id)),
    updateRepository: (request) => update(request, request.params.id, request.body),
    deleteRepository: async (request) => {
      await remove(request, request.params.id, request.query.cascade)
    },
    listEvents: async (request) => request.paged(await events(request, request.params.id, request.page)),
    listScans: async (request) =>
      request.paged(await listOfRepository(request, request.params.id, request.page, request.query.status)),
    getScan: async (request) => toScan(await findScan(request, request.params.id, request.params.scanId)),
    getScanById: async (request) => toScan(await findScanById(request, request.params.scanId)),
    getScanSbom: (request) => exportSbom(request, request.params.id, request.params.scanId),
    createScan: (request) => rescan(request, request.params.id, request.body),
    cancelScan: (request) => cancel(request, request.params.id, request.params.scanId),
    retryScan: (request) => retry(request, request.params.id, request.params.scanId),
    getScanSarif: (request) =>
      sarif.exportScan(request, request.params.id, request.params.scanId, request.headers['if-none-match']),
    listFindings: async (request) =>
      request.paged(
        await findings.list(request, request.params.id, request.page, {
          ...request.query,
          pathPrefix: request.query.path,
        }),
      ),
    getFinding: (request) => findings.get(request, request.params.id, request.params.findingId),
    updateFinding: (request) => triage.update(request, request.params.id, request.params.findingId, request.body),
    triageFindings: (request) =>
      triage.bulk(request, request.params.id, {
        ...request.body,
        filter: { ...request.body.filter, pathPrefix: request.body.filter.path },
      }),
    compareScans: (request) => findings.compare(request, request.params.id, request.query.base, request.query.head),
    listSuppressions: async (request) =>
      request.paged(await suppressions.list(request, request.params.id, request.page, request.query.unused)),
    createSuppression: (request) => suppressions.create(request, request.params.id, request.body),
    deleteSuppression: async (request) => {
      await suppressions.remove(request, request.params.id, request.params.suppressionId)
    },
  } satisfies Handlers<typeof repositoryRoutes>,
  { lists, idempotency },
)
