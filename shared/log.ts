// One logger for the whole service (Powertools: JSON lines, levels from POWERTOOLS_LOG_LEVEL / LOG_LEVEL).
// Per-request fields travel as arguments, not as appended keys: the local server runs many
// invocations in one process, and appended keys would leak from one request into another.
import { Logger } from '@aws-lambda-powertools/logger'

export const logger = new Logger({ serviceName: 'vega' })

export type LogFields = Record<string, unknown>
export interface RequestLog {
  debug(message: string, fields?: LogFields): void
  info(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  error(message: string, error: unknown, fields?: LogFields): void
}

/** A logger whose every line carries the request's fields (request id, route, later the workspace). */
export function requestLog(base: LogFields): RequestLog {
  return {
    debug: (message, fields) => logger.debug(message, { ...base, ...fields }),
    info: (message, fields) => logger.info(message, { ...base, ...fields }),
    warn: (message, fields) => logger.warn(message, { ...base, ...fields }),
    error: (message, error, fields) => logger.error(message, { ...base, ...fields, error: error as Error }),
  }
}
