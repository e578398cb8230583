import { type Handlers, publicLambda } from '../../shared/api/public-lambda.js'
import { version } from '../../shared/config.js'
import { allOk, checkDependencies } from '../../shared/health/readiness.js'
import { unavailable } from '../../shared/http/errors.js'
import { healthRoutes } from '../../shared/routes/health.js'

const startedAt = Date.now()

export const handler = publicLambda(healthRoutes, {
  getHealth: () => ({ status: 'ok', version: version(), uptime_s: Math.round((Date.now() - startedAt) / 1000) }),

  getReadiness: async () => {
    const checks = await checkDependencies()
    if (!allOk(checks)) throw unavailable('A dependency of Vega is down', 5, { checks })
    return { status: 'ready', checks }
  },
} satisfies Handlers<typeof healthRoutes>)
