// The scheduled cleanup (every 5 minutes in AWS, every minute under npm start): the same code as
// POST /v1/ops/cleanup, over every workspace, for real: expired and orphaned upload objects, inputs past
// retention, stuck scans, dead letters, old rate-limit windows.
import { requestLog } from '../../shared/log.js'
import { cleanup, countsOf } from '../../shared/ops/cleanup.js'

export const handler = async () => {
  const report = await cleanup(requestLog({ function: 'cleanup' }), { dryRun: false })
  const counts = countsOf(report)
  return {
    ...counts,
    dead_letters: { failed: report.dead_letters },
    stuck: { requeued: counts.requeued, failed: counts.failed },
  }
}
