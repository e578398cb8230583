import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs'
import type { SQSEvent } from 'aws-lambda'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { type Poller, startPoller } from '../../infra/local/poller.js'
import { ensureResources, localCredentials, localRegion } from '../../infra/local/resources.js'

const endpoint = inject('endpoints').sqs
const sqs = new SQSClient({ region: localRegion, credentials: localCredentials, endpoint })
let poller: Poller | undefined
let queues = 0

/** A queue pair of its own per test, with a 1 s visibility timeout so redelivery shows within the test. */
async function freshQueues(visibilityTimeoutS = 1) {
  const resources = await ensureResources(inject('endpoints'), {
    prefix: `poller${++queues}${Date.now()}`,
    visibilityTimeoutS,
  })
  return { queueUrl: resources.scanQueueUrl, dlqUrl: resources.scanDlqUrl }
}

async function send(queueUrl: string, bodies: string[]) {
  await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: bodies.map((MessageBody, i) => ({ Id: `${i}`, MessageBody })),
    }),
  )
}

async function depth(queueUrl: string) {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  )
  return Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
}

async function until(condition: () => Promise<boolean> | boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

afterEach(async () => {
  await poller?.stop()
  poller = undefined
})

describe('the local SQS event source', () => {
  it('gives a message its receive took while stopping back to the queue at once, unhandled', async () => {
    // A minute's visibility: a message the stopped poller kept hidden would not come back within the test.
    const { queueUrl } = await freshQueues(60)
    let handled = 0
    const stopping = startPoller({
      endpoint,
      queueUrl,
      handler: async () => {
        handled++
        return { batchItemFailures: [] }
      },
    })
    await new Promise((resolve) => setTimeout(resolve, 300))
    const stopped = stopping.stop()
    // Sent while the poller's last receive is still waiting (it waits up to 1 s).
    await send(queueUrl, ['late'])
    await stopped
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 2 }))
    expect(Messages.map((message) => message.Body)).toEqual(['late'])
    expect(handled).toBe(0)
  })

  it('hands messages over as Lambda SQS records and deletes them when the handler succeeds', async () => {
    const { queueUrl } = await freshQueues()
    const seen: SQSEvent['Records'] = []
    poller = startPoller({ endpoint, queueUrl, handler: async (event) => void seen.push(...event.Records) })

    await send(queueUrl, ['a', 'b', 'c'])
    await until(() => seen.length === 3)
    await until(async () => (await depth(queueUrl)) === 0)

    expect(seen.map((record) => record.body).sort()).toEqual(['a', 'b', 'c'])
    expect(seen[0]).toMatchObject({
      eventSource: 'aws:sqs',
      awsRegion: localRegion,
      attributes: { ApproximateReceiveCount: '1' },
    })
    expect(seen[0]?.eventSourceARN).toMatch(/^arn:aws:sqs:/)
  })

  it('retries only the records named in batchItemFailures', async () => {
    const { queueUrl } = await freshQueues()
    const deliveries: string[] = []
    poller = startPoller({
      endpoint,
      queueUrl,
      handler: async (event) => {
        deliveries.push(...event.Records.map((record) => record.body))
        return {
          batchItemFailures: event.Records.filter(
            (r) => r.body === 'bad' && deliveries.filter((d) => d === 'bad').length < 2,
          ).map((r) => ({ itemIdentifier: r.messageId })),
        }
      },
    })

    await send(queueUrl, ['good', 'bad'])
    await until(() => deliveries.filter((body) => body === 'bad').length === 2)
    await until(async () => (await depth(queueUrl)) === 0)

    expect(deliveries.filter((body) => body === 'good')).toHaveLength(1)
  })

  it('retries the whole batch when the handler throws, and moves a message to the DLQ after 3 tries', async () => {
    const { queueUrl, dlqUrl } = await freshQueues()
    let attempts = 0
    poller = startPoller({
      endpoint,
      queueUrl,
      handler: async () => {
        attempts++
        throw new Error('worker crashed')
      },
    })

    await send(queueUrl, ['poison'])
    await until(async () => (await depth(dlqUrl)) === 1, 20_000)

    expect(attempts).toBe(3)
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl }))
    expect(Messages[0]?.Body).toBe('poison')
  })

  it('stops promptly, mid long-poll', async () => {
    const { queueUrl } = await freshQueues()
    poller = startPoller({ endpoint, queueUrl, handler: async () => undefined })
    await new Promise((resolve) => setTimeout(resolve, 200))
    const started = performance.now()

    await poller.stop()
    poller = undefined

    expect(performance.now() - started).toBeLessThan(1_500)
  })
})
