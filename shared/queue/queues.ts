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
  /** Messages per worker invocation: a batch shares one invocation's /tmp and time, so a handful. */
  batchSize: 5,
} as const

export const scanDeadLetterQueue = {
  id: 'scans-dlq',
  retentionS: 14 * 24 * 3600,
} as const
