// The scan queue's one message: which scan to run. Everything else the worker reads from the table.
import { SendMessageCommand } from '@aws-sdk/client-sqs'
import { z } from 'zod'
import { sqs } from '../aws/clients.js'
import { config } from '../config.js'
import { ScanId } from '../ids.js'

export const ScanMessage = z.object({ scan_id: ScanId })
export type ScanMessage = z.infer<typeof ScanMessage>

export async function enqueueScan(message: ScanMessage): Promise<void> {
  await sqs().send(new SendMessageCommand({ QueueUrl: config().SCAN_QUEUE_URL, MessageBody: JSON.stringify(message) }))
}
