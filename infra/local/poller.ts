// Feeds the scan queue to the worker handler the way Lambda's SQS event source does: batches of the
// configured size (10 by default), the whole batch retried when the handler throws, only the reported
// batchItemFailures retried when it answers, and everything else deleted. Redelivery waits for the queue's visibility timeout,
// and the queue's redrive policy moves a message to the DLQ after maxReceiveCount tries.
import { randomUUID } from 'node:crypto'
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs'
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda'
import { lambdaContext } from './event.js'
import { localCredentials, localRegion } from './resources.js'

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>

export interface PollerOptions {
  endpoint: string
  queueUrl: string
  handler: SqsHandler
  batchSize?: number
  functionName?: string
  timeoutMs?: number
  /** Batches handled at once (Lambda's concurrent invocations); 1 by default. */
  concurrency?: number
  log?: (line: string) => void
}

export interface Poller {
  stop(): Promise<void>
  /** Batches handed to the handler so far. */
  readonly batches: number
}

export function startPoller(options: PollerOptions): Poller {
  const sqs = new SQSClient({ region: localRegion, credentials: localCredentials, endpoint: options.endpoint })
  const log = options.log ?? (() => {})
  const functionName = options.functionName ?? 'vega-local-scan-worker'
  const abort = new AbortController()
  let batches = 0
  let queueArn: string | undefined

  async function pollOnce() {
    queueArn ??= (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: options.queueUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: options.batchSize ?? 10,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      // Not cut short on stop: a receive the emulator answered has hidden its messages, and an answer
      // thrown away would hide them for the whole visibility timeout. The wait is 1 s.
    )
    if (Messages.length === 0) return
    // Stopping: what this loop took goes back to the queue at once, for another worker.
    if (abort.signal.aborted) {
      for (const message of Messages)
        await sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: options.queueUrl,
            ReceiptHandle: message.ReceiptHandle,
            VisibilityTimeout: 0,
          }),
        )
      return
    }
    batches++
    const event: SQSEvent = { Records: Messages.map((message) => toRecord(message, queueArn ?? '')) }
    const requestId = randomUUID()
    let failed: Set<string>
    try {
      const answer = await options.handler(event, lambdaContext(functionName, requestId, options.timeoutMs ?? 360_000))
      failed = new Set((answer?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier))
    } catch (error) {
      // A thrown handler fails the whole batch: nothing is deleted, all of it comes back.
      log(`vega: ${functionName} failed a batch of ${Messages.length}: ${(error as Error).message}`)
      return
    }
    const done = Messages.filter((message) => !failed.has(message.MessageId ?? ''))
    for (let i = 0; i < done.length; i += 10) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: done.slice(i, i + 10).map((message, n) => ({ Id: String(n), ReceiptHandle: message.ReceiptHandle })),
        }),
      )
    }
  }

  const poll = async () => {
    while (!abort.signal.aborted) {
      try {
        await pollOnce()
      } catch (error) {
        if (abort.signal.aborted) break
        log(`vega: scan queue poll failed (${(error as Error).name}); retrying in 1 s`)
        await new Promise((resolve) => setTimeout(resolve, 1_000))
      }
    }
  }
  const loop = Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 1) }, poll))

  return {
    get batches() {
      return batches
    },
    async stop() {
      abort.abort()
      await loop
      sqs.destroy()
    },
  }
}

function toRecord(message: Message, queueArn: string): SQSRecord {
  const attributes = message.Attributes ?? {}
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        {
          dataType: value.DataType ?? 'String',
          stringValue: value.StringValue,
          binaryValue: value.BinaryValue ? Buffer.from(value.BinaryValue).toString('base64') : undefined,
          stringListValues: [],
          binaryListValues: [],
        },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: localRegion,
  }
}
