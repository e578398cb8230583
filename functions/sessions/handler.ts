import { type Handlers, lambda } from '../../shared/api/lambda.js'
import { sessionRoutes } from '../../shared/routes/index.js'
import { analyze, create, get } from '../../shared/uploads/sessions.js'

// Deprecated routes: lambda() adds Deprecation, Sunset and the successor Link to every answer.
export const handler = lambda(sessionRoutes, {
  createSession: (request) => create(request, request.body),
  getSession: (request) => get(request, request.params.id),
  analyzeSession: (request) => analyze(request, request.params.id),
} satisfies Handlers<typeof sessionRoutes>)
