import { type Handlers, idempotency, lambda } from '../../shared/api/lambda.js'
import { deprecationHeaders, legacySessions } from '../../shared/deprecations/index.js'
import { sessionRoutes } from '../../shared/routes/sessions.js'
import { analyze, create, get } from '../../shared/uploads/sessions.js'

// Deprecated routes: every answer carries Deprecation, Sunset and the successor Link.
export const handler = lambda(
  sessionRoutes,
  {
    createSession: (request) => create(request, request.body),
    getSession: (request) => get(request, request.params.id),
    analyzeSession: (request) => analyze(request, request.params.id),
  } satisfies Handlers<typeof sessionRoutes>,
  { deprecation: deprecationHeaders(legacySessions), idempotency },
)
