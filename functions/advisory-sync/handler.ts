// The daily advisory sync: OSV's export into the advisory store, each supported ecosystem, only what changed
// since the last run. A failed ecosystem fails the invocation (retried by the schedule, alarmed), after the
// others have gone on. No ecosystem starts in the run's last 5 minutes: a first import of one (npm's all.zip)
// can take that long, and one cut off by the timeout is simply taken up again next time.
import type { Context } from 'aws-lambda'
import { config } from '../../shared/config.js'
import { requestLog } from '../../shared/log.js'
import { syncAdvisories } from '../../shared/ops/advisory-sync.js'

export const handler = async (_event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>) => {
  const log = requestLog({ function: 'advisory-sync' })
  const remaining = context?.getRemainingTimeInMillis()
  const { synced, failed, deferred } = await syncAdvisories({
    from: config().ADVISORY_EXPORT_URL,
    onProgress: (line) => log.info(`advisories: ${line}`),
    ...(remaining === undefined ? {} : { startBefore: Date.now() + remaining - 5 * 60_000 }),
  })
  if (failed.length > 0)
    throw new Error(
      `advisory sync failed for ${failed.map((failure) => `${failure.ecosystem} (${failure.error})`).join('; ')}`,
    )
  return { synced, deferred }
}
