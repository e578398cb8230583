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

/** The webhook worker's Lambda timeout: a batch's deliveries go out side by side, each within WEBHOOK_TIMEOUT_MS. */
export const webhookWorkerTimeoutS = 60

/**
 * Webhook deliveries: one message per attempt of one delivery. Retries are new messages the worker sends
 * with their delay (docs/integrations.md "Retries"), so a receiver that fails never holds a message; a
 * message comes back (and, after maxReceiveCount, goes to the DLQ) only when the worker itself failed.
 */
export const webhookQueue = {
  id: 'webhooks',
  visibilityTimeoutS: 6 * webhookWorkerTimeoutS,
  retentionS: 4 * 24 * 3600,
  maxReceiveCount: 5,
  batchSize: 10,
} as const

export const webhookDeadLetterQueue = {
  id: 'webhooks-dlq',
  retentionS: 14 * 24 * 3600,
} as const
