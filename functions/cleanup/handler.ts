// The scheduled cleanup (every 5 minutes in AWS, every minute under npm start): scans whose messages
// died in the DLQ become failed and retryable; scans stuck queued or running are queued again.
// TODO(#9): expired uploads and retention.
import { requestLog } from '../../shared/log.js'
import { drainDeadLetters } from '../../shared/worker/dead-letters.js'
import { requeueStuckScans } from '../../shared/worker/sweep.js'

export const handler = async () => {
  const log = requestLog({ function: 'cleanup' })
  return { dead_letters: await drainDeadLetters(log), stuck: await requeueStuckScans(log) }
}
