// The scan queue and its dead-letter queue, as plain data for the local bootstrap and CDK alike.
/** The scan worker's Lambda timeout. */
export const workerTimeoutS = 6 * 60

export const scanQueue = {
  id: 'scans',
  /** Lambda's guidance: at least 6x the worker's timeout, so a retried batch is not redelivered mid-run. */
  visibilityTimeoutS: 6 * workerTimeoutS,
  retentionS: 4 * 24 * 3600,
  /** DESIGN.md "Architecture": a scan message goes to the DLQ after 3 tries. */
  maxReceiveCount: 3,
  /**
   * One scan per worker invocation. A batch runs its scans one after another in one invocation's time
   * (five scans of the 300 s budget would not fit the 6-minute timeout), and a worker that dies takes its
   * whole batch down: the unstarted scans' messages stay invisible for the visibility timeout, so they
   * waited for the queued-scan sweep (10 minutes; `npm run proof -- kill-stack` measured it).
   */
  batchSize: 1,
} as const

export const scanDeadLetterQueue = {
  id: 'scans-dlq',
  retentionS: 14 * 24 * 3600,
} as const
