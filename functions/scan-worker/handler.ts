import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch'
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda'
import { requestLog } from '../../shared/log.js'
import { publishMetrics } from '../../shared/metrics.js'
import { extendVisibility, QueueMessage } from '../../shared/queue/scans.js'
import { deleteProjectInBackground } from '../../shared/worker/delete-project.js'
import { runScan } from '../../shared/worker/run-scan.js'

const processor = new BatchProcessor(EventType.SQS)
/** Each heartbeat keeps the message hidden this much longer: a live worker's message is never redelivered. */
const renewedVisibilityS = 60

async function processRecord(record: SQSRecord): Promise<void> {
  const log = requestLog({ message_id: record.messageId, receive_count: record.attributes.ApproximateReceiveCount })
  let message: QueueMessage
  try {
    message = QueueMessage.parse(JSON.parse(record.body))
  } catch {
    // A message no retry can fix: logged (without its body) and dropped.
    return log.warn('malformed queue message dropped')
  }
  if ('delete_project' in message) return deleteProjectInBackground(message.delete_project, log)
  await runScan(message, log, { renewMessage: () => extendVisibility(record.receiptHandle, renewedVisibilityS) })
}

// A failed record is retried alone (reportBatchItemFailures); the rest of the batch is done.
export const handler = async (event: SQSEvent, context: Context) => {
  try {
    return await processPartialResponse(event, processRecord, processor, { context })
  } finally {
    publishMetrics()
  }
}
