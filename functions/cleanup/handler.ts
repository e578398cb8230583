// The scheduled cleanup (every few minutes in AWS, every minute under npm start): scans whose messages
// died in the DLQ become failed and retryable. TODO(#9): expired uploads and retention.
import { requestLog } from '../../shared/log.js'
import { drainDeadLetters } from '../../shared/worker/dead-letters.js'

export const handler = async () => drainDeadLetters(requestLog({ function: 'cleanup' }))
