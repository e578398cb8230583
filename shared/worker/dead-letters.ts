// Messages the worker failed on three times land in the DLQ. Draining it marks their scans failed with
// `retryable: true` (the input is intact; POST …/retry runs it again), so no scan waits forever.
import { sdk, sqs } from '../aws/clients.js'
import { config } from '../config.js'
import { appendEvent, systemActor } from '../data/append-event.js'
import { recordLastScan } from '../data/repositories.js'
import { finishScan, getScan } from '../data/scans.js'
import type { RequestLog } from '../log.js'
import { QueueMessage } from '../queue/scans.js'
import { scanFinished } from '../webhooks/emit.js'

export async function drainDeadLetters(
  log: RequestLog,
  maxMessages = 100,
): Promise<{ failed: number; dropped: number }> {
  const counts = { failed: 0, dropped: 0 }
  while (counts.failed + counts.dropped < maxMessages) {
    const { Messages = [] } = await sqs().send(
      new (sdk.sqs().ReceiveMessageCommand)({
        QueueUrl: config().SCAN_DLQ_URL,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
      }),
    )
    if (Messages.length === 0) break
    for (const message of Messages) {
      const parsed = QueueMessage.safeParse(safeJson(message.Body))
      const scanId = parsed.success && 'scan_id' in parsed.data ? parsed.data.scan_id : undefined
      const scan = scanId ? await getScan(scanId) : undefined
      const error = {
        code: 'worker_failed',
        message: 'The scan failed three times for a reason of ours; retry it, and tell us if it fails again',
        retryable: true,
        details: {},
      }
      if (scan && (await finishScan(scan, { status: 'failed', error }))) {
        await recordLastScan(scan.repository_id, {
          id: scan.id,
          status: 'failed',
          finished_at: new Date().toISOString(),
        })
        await appendEvent(scan.repository_id, 'scan.failed', systemActor, { scan_id: scan.id, code: error.code })
        await scanFinished({ ...scan, status: 'failed', error, finished_at: new Date().toISOString() })
        counts.failed++
      } else counts.dropped++
    }
    await sqs().send(
      new (sdk.sqs().DeleteMessageBatchCommand)({
        QueueUrl: config().SCAN_DLQ_URL,
        Entries: Messages.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle })),
      }),
    )
  }
  if (counts.failed + counts.dropped > 0) log.warn('dead letters drained', counts)
  return counts
}

function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '')
  } catch {
    return undefined
  }
}
