// The webhook queue's messages: one attempt of one delivery. The worker reads the rest from the table.
import { sdk, sqs } from '../aws/clients.js'
import { config } from '../config.js'
import { WebhookDeliveryId } from '../ids.js'
import * as z from '../zod.js'

export const WebhookMessage = z.object({
  delivery_id: WebhookDeliveryId,
  /** Which attempt this message carries (1 for the first): a message for an attempt already made is dropped. */
  attempt: z.number().check(z.int(), z.gte(1)),
  /** Epoch milliseconds before which the attempt waits: SQS delays a message 15 minutes at most. */
  not_before: z.optional(z.number()),
})
export type WebhookMessage = z.infer<typeof WebhookMessage>

/** SQS's longest DelaySeconds; a later attempt is sent on again until its time. */
export const maxQueueDelayS = 900

/** Sends attempts, 10 to a request; each waits until its `not_before` (up to 15 minutes, then it is sent on). */
export async function sendWebhookMessages(messages: WebhookMessage[], now = Date.now()): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    const batch = messages.slice(i, i + 10)
    const { Failed = [] } = await sqs().send(
      new (sdk.sqs().SendMessageBatchCommand)({
        QueueUrl: config().WEBHOOK_QUEUE_URL,
        Entries: batch.map((message, n) => ({
          Id: String(n),
          MessageBody: JSON.stringify(message),
          DelaySeconds: delayOf(message, now),
        })),
      }),
    )
    if (Failed.length)
      throw new Error(`SQS refused ${Failed.length} webhook messages (${Failed[0]?.Code ?? 'unknown'})`)
  }
}

const delayOf = (message: WebhookMessage, now: number) =>
  message.not_before === undefined
    ? 0
    : Math.min(maxQueueDelayS, Math.max(0, Math.ceil((message.not_before - now) / 1000)))
