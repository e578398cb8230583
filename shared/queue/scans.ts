// The scan queue's messages: which scan to run (the worker reads everything else from the table), and
// the rare background deletion.
import { sdk, sqs } from '../aws/clients.js'
import { config } from '../config.js'
import { ProjectId, ScanId } from '../ids.js'
import * as z from '../zod.js'

/** A scan to run; with `shard`, one shard of a scan split into several (shared/worker/shards.ts). */
export const ScanMessage = z.object({
  scan_id: ScanId,
  shard: z.optional(
    z.object({ index: z.number().check(z.int(), z.gte(0)), count: z.number().check(z.int(), z.gte(2), z.lte(64)) }),
  ),
})
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

/** Sends the shards of a sharded scan other than the first, which the worker that split it runs. */
export async function enqueueShards(scan: ScanId, count: number, done: ReadonlySet<number>): Promise<void> {
  const pending = Array.from({ length: count }, (_, index) => index).filter((index) => index > 0 && !done.has(index))
  await Promise.all(pending.map((index) => send({ scan_id: scan, shard: { index, count } })))
}

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
