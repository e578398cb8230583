// Real emulators on 127.0.0.1, no mocks: start, answer a real SDK call, stop cleanly, and keep data across a restart.
import { mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb'
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListBucketsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3'
import {
  CreateQueueCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import {
  type EmulatorOptions,
  type RunningEmulator,
  startDynamoDb,
  startS3,
  startSqs,
} from '../../infra/local/emulators.js'

const TIMEOUT = 60_000
const region = 'us-east-1'
// s3rver rejects any access key id but S3RVER (InvalidAccessKeyId); the other emulators accept anything.
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }

// Fresh clients per emulator instance: after a restart, an old client's keep-alive sockets are dead (ECONNRESET).
const dynamo = (endpoint: string) => new DynamoDBClient({ endpoint, region, credentials })
// WHEN_REQUIRED: s3rver stores aws-chunked framing verbatim under the SDK's default streaming checksums.
const s3 = (endpoint: string) =>
  new S3Client({ endpoint, region, credentials, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' })
const sqs = (endpoint: string) => new SQSClient({ endpoint, region, credentials })

/** Resolves true when nothing accepts TCP connections on 127.0.0.1:port. */
function portIsClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(false)
    })
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'))
  })
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const running: RunningEmulator[] = []
async function track(start: Promise<RunningEmulator>): Promise<RunningEmulator> {
  const emulator = await start
  running.push(emulator)
  return emulator
}

// A failed assertion must not leak a java or node child.
afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.stop()))
}, TIMEOUT)

const smokeCases: {
  name: RunningEmulator['name']
  start: (options?: EmulatorOptions) => Promise<RunningEmulator>
  call: (endpoint: string) => Promise<unknown>
  child: boolean
}[] = [
  { name: 'dynamodb', start: startDynamoDb, call: (e) => dynamo(e).send(new ListTablesCommand({})), child: true },
  { name: 's3', start: startS3, call: (e) => s3(e).send(new ListBucketsCommand({})), child: true },
  { name: 'sqs', start: startSqs, call: (e) => sqs(e).send(new ListQueuesCommand({})), child: false },
]

describe('local emulators', () => {
  for (const { name, start, call, child } of smokeCases) {
    it(`${name}: starts on 127.0.0.1, answers the SDK, and stop() closes the port`, { timeout: TIMEOUT }, async () => {
      const emulator = await track(start())
      expect(emulator.name).toBe(name)
      expect(emulator.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const port = Number(new URL(emulator.endpoint).port)
      await expect(call(emulator.endpoint)).resolves.toBeDefined()
      if (child) expect(emulator.pid).toBeTypeOf('number')
      else expect(emulator.pid).toBeUndefined()

      await emulator.stop()
      await emulator.stop() // idempotent
      expect(await portIsClosed(port)).toBe(true)
      if (emulator.pid !== undefined) expect(processExists(emulator.pid)).toBe(false)
    })
  }

  describe('durability across a restart on the same dataDir', () => {
    const root = mkdtempSync(join(tmpdir(), 'vega-emulators-test-'))
    afterAll(() => rmSync(root, { recursive: true, force: true }))

    const startAll = async (ports?: number[]) =>
      Promise.all([
        track(startDynamoDb({ dataDir: join(root, 'dynamodb'), port: ports?.[0] })),
        track(startS3({ dataDir: join(root, 's3'), port: ports?.[1] })),
        track(startSqs({ dataDir: join(root, 'sqs'), port: ports?.[2] })),
      ])

    it('keeps a DynamoDB item, an S3 object and an SQS message', { timeout: TIMEOUT }, async () => {
      const first = await startAll()
      const [ddb1, s31, sqs1] = first.map((emulator) => emulator.endpoint) as [string, string, string]

      await dynamo(ddb1).send(
        new CreateTableCommand({
          TableName: 'durable',
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        }),
      )
      await dynamo(ddb1).send(new PutItemCommand({ TableName: 'durable', Item: { pk: { S: 'a' }, v: { N: '42' } } }))
      await s3(s31).send(new CreateBucketCommand({ Bucket: 'durable' }))
      await s3(s31).send(new PutObjectCommand({ Bucket: 'durable', Key: 'k/1.txt', Body: 'hello durable' }))
      const { QueueUrl } = await sqs(sqs1).send(new CreateQueueCommand({ QueueName: 'durable' }))
      await sqs(sqs1).send(new SendMessageCommand({ QueueUrl, MessageBody: 'still here' }))

      // Restart on the same ports, as `npm start` would.
      const ports = first.map((emulator) => Number(new URL(emulator.endpoint).port))
      await Promise.all(running.splice(0).map((emulator) => emulator.stop()))
      const [ddb2, s32, sqs2] = (await startAll(ports)).map((emulator) => emulator.endpoint) as [string, string, string]

      const item = await dynamo(ddb2).send(
        new GetItemCommand({ TableName: 'durable', Key: { pk: { S: 'a' } }, ConsistentRead: true }),
      )
      expect(item.Item?.v).toEqual({ N: '42' })
      const object = await s3(s32).send(new GetObjectCommand({ Bucket: 'durable', Key: 'k/1.txt' }))
      expect(await object.Body?.transformToString()).toBe('hello durable')
      const { QueueUrl: url2 } = await sqs(sqs2).send(new GetQueueUrlCommand({ QueueName: 'durable' }))
      const received = await sqs(sqs2).send(new ReceiveMessageCommand({ QueueUrl: url2, WaitTimeSeconds: 2 }))
      expect(received.Messages?.map((message) => message.Body)).toEqual(['still here'])
    })
  })
})
