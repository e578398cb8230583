import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch'
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda'
import { getScan, runningGraceMs } from '../../shared/data/scans.js'
import { type RequestLog, requestLog } from '../../shared/log.js'
import { publishMetrics } from '../../shared/metrics.js'
import { extendVisibility, QueueMessage, type ScanMessage } from '../../shared/queue/scans.js'
import { deleteProjectInBackground } from '../../shared/worker/delete-project.js'
import { runScan } from '../../shared/worker/run-scan.js'

const processor = new BatchProcessor(EventType.SQS)
/**
 * Each heartbeat (every 5 s, from the scan's start) keeps the message hidden this much longer: a live
 * worker's message is not redelivered, and a dead worker's comes back within 30 s, without the sweep.
 * The same silence the sweep calls dead (`runningGraceMs`).
 */
const renewedVisibilityS = runningGraceMs / 1000

function processRecord(requestId: string | null) {
  return async (record: SQSRecord): Promise<void> => {
    const log = requestLog({
      request_id: requestId,
      message_id: record.messageId,
      receive_count: record.attributes.ApproximateReceiveCount,
    })
    let message: QueueMessage
    try {
      message = QueueMessage.parse(JSON.parse(record.body))
    } catch {
      // A message no retry can fix: logged (without its body) and dropped.
      return log.warn('malformed queue message dropped')
    }
    if ('delete_project' in message) return deleteProjectInBackground(message.delete_project, log)
    await scanOnce(message, record, log)
  }
}

/**
 * Runs one scan and writes one INFO line for it, whatever happened: the scan id, its outcome (the
 * scan's status, or `error` when the message goes back to the queue for a retry), the duration, the
 * input's and the scanned bytes, and the findings recorded. The line carries the invocation's request id.
 */
async function scanOnce(message: ScanMessage, record: SQSRecord, log: RequestLog): Promise<void> {
  const started = performance.now()
  const report: NonNullable<Parameters<typeof runScan>[2]>['report'] = {}
  const held = { receiptHandle: record.receiptHandle, visibilityS: renewedVisibilityS }
  let failure: unknown
  try {
    // Hidden for the heartbeat's span from receipt: a worker killed before its scan starts returns the
    // message in 30 s, not after the queue's whole visibility timeout.
    await extendVisibility(held.receiptHandle, held.visibilityS).catch(() => undefined)
    await runScan(message, log, { message: held, report })
  } catch (error) {
    failure = error
  }
  const scan = await getScan(message.scan_id).catch(() => undefined)
  log.info('scan', {
    scan_id: message.scan_id,
    shard: message.shard ? `${message.shard.index + 1}/${message.shard.count}` : null,
    outcome: failure ? 'error' : (scan?.status ?? 'missing'),
    duration_ms: Math.round(performance.now() - started),
    input_bytes: scan?.input.bytes ?? null,
    bytes: scan?.stats?.bytes ?? null,
    findings: report.findings?.total ?? null,
    new_findings: report.findings?.new ?? null,
    error_code: scan?.error?.code ?? null,
    phases_ms: report.phases_ms ?? null,
    ...(report.kept && Object.keys(report.kept).length ? { kept: report.kept } : {}),
  })
  if (failure) throw failure
}

// A failed record is retried alone (reportBatchItemFailures); the rest of the batch is done.
export const handler = async (event: SQSEvent, context: Context) => {
  try {
    return await processPartialResponse(event, processRecord(context.awsRequestId ?? null), processor, { context })
  } finally {
    publishMetrics()
  }
}
