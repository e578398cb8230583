// The daily advisory sync: OSV's export into the advisory store, each supported ecosystem, only what changed
// since the last run. A failed ecosystem fails the invocation (retried by the schedule, alarmed), after the
// others have gone on.
import { config } from '../../shared/config.js'
import { requestLog } from '../../shared/log.js'
import { syncAdvisories } from '../../shared/ops/advisory-sync.js'

export const handler = async () => {
  const log = requestLog({ function: 'advisory-sync' })
  const { synced, failed } = await syncAdvisories({
    from: config().ADVISORY_EXPORT_URL,
    onProgress: (line) => log.info(`advisories: ${line}`),
  })
  if (failed.length > 0)
    throw new Error(
      `advisory sync failed for ${failed.map((failure) => `${failure.ecosystem} (${failure.error})`).join('; ')}`,
    )
  return { synced }
}
