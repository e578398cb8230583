import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch'
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda'
import { requestLog } from '../../shared/log.js'
import { WebhookMessage } from '../../shared/queue/webhooks.js'
import { deliver } from '../../shared/webhooks/deliver.js'

const processor = new BatchProcessor(EventType.SQS)

function processRecord(requestId: string | null) {
  return async (record: SQSRecord): Promise<void> => {
    const log = requestLog({ request_id: requestId, message_id: record.messageId })
    let message: WebhookMessage
    try {
      message = WebhookMessage.parse(JSON.parse(record.body))
    } catch {
      // A message no retry can fix: logged (without its body) and dropped.
      return log.warn('malformed webhook message dropped')
    }
    await deliver(message, log)
  }
}

// A batch's deliveries go out side by side (one slow receiver does not hold the others back); a record
// that throws (the table or the queue failed, never a receiver) is retried alone.
export const handler = (event: SQSEvent, context: Context) =>
  processPartialResponse(event, processRecord(context.awsRequestId ?? null), processor, { context })
