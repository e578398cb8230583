// The scan queue's messages: which scan to run (the worker reads everything else from the table), and
// the rare background deletion.
import { sdk, sqs } from '../aws/clients.js'
import { config } from '../config.js'
import { ProjectId, ScanId } from '../ids.js'
import * as z from '../zod.js'

export const ScanMessage = z.object({ scan_id: ScanId })
export type ScanMessage = z.infer<typeof ScanMessage>

/** Work too big for a request, done by the worker: deleting a large project with all it holds. */
export const DeletionMessage = z.object({ delete_project: ProjectId })
export const QueueMessage = z.union([ScanMessage, DeletionMessage])
export type QueueMessage = z.infer<typeof QueueMessage>

async function send(message: QueueMessage): Promise<void> {
  await sqs().send(
    new (sdk.sqs().SendMessageCommand)({ QueueUrl: config().SCAN_QUEUE_URL, MessageBody: JSON.stringify(message) }),
  )
}

/** Sends a recorded scan to the worker (catalog/queue-scan.ts records it first; the sweep sends it again). */
export const enqueueScan = (scan: ScanId) => send({ scan_id: scan })

/** Sends a project's background deletion to the worker. */
export const enqueueProjectDeletion = (project: ProjectId) => send({ delete_project: project })

/** Hides a received message for `seconds` more from now (a running scan's heartbeat renews it). */
export async function extendVisibility(receiptHandle: string, seconds: number): Promise<void> {
  await sqs().send(
    new (sdk.sqs().ChangeMessageVisibilityCommand)({
      QueueUrl: config().SCAN_QUEUE_URL,
      ReceiptHandle: receiptHandle,
      VisibilityTimeout: seconds,
    }),
  )
}
