// Creates the table, the bucket and the queues on the emulators, idempotently, from the same
// definitions the CDK stack builds from (shared/data/table.ts, shared/storage, shared/queue).
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb'
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3'
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs'
import { table } from '../../shared/data/table.js'
import { scanDeadLetterQueue, scanQueue, webhookDeadLetterQueue, webhookQueue } from '../../shared/queue/queues.js'
import { uploadsBucket } from '../../shared/storage/bucket.js'

export interface Endpoints {
  dynamodb: string
  s3: string
  sqs: string
}

export interface LocalResources {
  tableName: string
  bucketName: string
  scanQueueUrl: string
  scanDlqUrl: string
  webhookQueueUrl: string
}

/** s3rver only accepts its own account's keys; DynamoDB Local (-sharedDb) and fauxqs accept any. */
export const localCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }
export const localRegion = 'us-east-1'

export interface ResourceOptions {
  /** Prefix of every resource name, so several stacks can share emulators (the tests do). */
  prefix?: string
  /** Tests shorten the scan queue's visibility timeout to see redelivery in seconds, not minutes. */
  visibilityTimeoutS?: number
}

export async function ensureResources(endpoints: Endpoints, options: ResourceOptions = {}): Promise<LocalResources> {
  const prefix = options.prefix ?? 'vega'
  const common = { region: localRegion, credentials: localCredentials }
  const dynamodb = new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb })
  const s3 = new S3Client({ ...common, endpoint: endpoints.s3, forcePathStyle: true })
  const sqs = new SQSClient({ ...common, endpoint: endpoints.sqs })
  try {
    const tableName = `${prefix}-${table.id}`
    const bucketName = `${prefix}-${uploadsBucket.id}`
    const [, , queues, webhookQueueUrl] = await Promise.all([
      ensureTable(dynamodb, tableName),
      ensureBucket(s3, bucketName),
      ensureQueues(sqs, prefix, options.visibilityTimeoutS ?? scanQueue.visibilityTimeoutS),
      ensureWebhookQueue(sqs, prefix),
    ])
    return { tableName, bucketName, ...queues, webhookQueueUrl }
  } finally {
    dynamodb.destroy()
    s3.destroy()
    sqs.destroy()
  }
}

export async function ensureTable(client: DynamoDBClient, name: string) {
  const keyNames = [
    table.partitionKey,
    table.sortKey,
    ...table.indexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ]
  try {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: keyNames.map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: table.partitionKey, KeyType: 'HASH' },
          { AttributeName: table.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: table.indexes.map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      }),
    )
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error
  }
  await addMissingIndexes(client, name)
  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: name }))
  if (ttl.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
      }),
    )
  }
}

/** A table made by an older version gets the indexes added since (DynamoDB backfills them). */
async function addMissingIndexes(client: DynamoDBClient, name: string) {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: name }))
  const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName))
  for (const index of table.indexes.filter((wanted) => !present.has(wanted.name))) {
    await client.send(
      new UpdateTableCommand({
        TableName: name,
        AttributeDefinitions: [
          { AttributeName: index.partitionKey, AttributeType: 'S' },
          { AttributeName: index.sortKey, AttributeType: 'S' },
        ],
        GlobalSecondaryIndexUpdates: [
          {
            Create: {
              IndexName: index.name,
              KeySchema: [
                { AttributeName: index.partitionKey, KeyType: 'HASH' },
                { AttributeName: index.sortKey, KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'ALL' },
            },
          },
        ],
      }),
    )
  }
}

async function ensureBucket(client: S3Client, name: string) {
  try {
    await client.send(new CreateBucketCommand({ Bucket: name }))
  } catch (error) {
    const code = (error as { name?: string }).name
    if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw error
  }
}

// CreateQueue with attributes fails when the queue exists with others, so create plainly, then set:
// the queues converge on the definitions at every start.
async function ensureQueues(client: SQSClient, prefix: string, visibilityTimeoutS: number) {
  const { QueueUrl: scanDlqUrl } = await client.send(
    new CreateQueueCommand({ QueueName: `${prefix}-${scanDeadLetterQueue.id}` }),
  )
  await client.send(
    new SetQueueAttributesCommand({
      QueueUrl: scanDlqUrl,
      Attributes: { MessageRetentionPeriod: String(scanDeadLetterQueue.retentionS) },
    }),
  )
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: scanDlqUrl, AttributeNames: ['QueueArn'] }),
  )
  const { QueueUrl: scanQueueUrl } = await client.send(
    new CreateQueueCommand({ QueueName: `${prefix}-${scanQueue.id}` }),
  )
  await client.send(
    new SetQueueAttributesCommand({
      QueueUrl: scanQueueUrl,
      Attributes: {
        VisibilityTimeout: String(visibilityTimeoutS),
        MessageRetentionPeriod: String(scanQueue.retentionS),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: Attributes?.QueueArn,
          maxReceiveCount: scanQueue.maxReceiveCount,
        }),
      },
    }),
  )
  if (!scanQueueUrl || !scanDlqUrl) throw new Error('The SQS emulator returned no queue URL')
  return { scanQueueUrl, scanDlqUrl }
}

/** The webhook queue and its DLQ, as CDK builds them (shared/queue/queues.ts); a test may make its own. */
export async function ensureWebhookQueue(client: SQSClient, prefix: string): Promise<string> {
  const { QueueUrl: dlqUrl } = await client.send(
    new CreateQueueCommand({ QueueName: `${prefix}-${webhookDeadLetterQueue.id}` }),
  )
  await client.send(
    new SetQueueAttributesCommand({
      QueueUrl: dlqUrl,
      Attributes: { MessageRetentionPeriod: String(webhookDeadLetterQueue.retentionS) },
    }),
  )
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
  )
  const { QueueUrl: queueUrl } = await client.send(
    new CreateQueueCommand({ QueueName: `${prefix}-${webhookQueue.id}` }),
  )
  await client.send(
    new SetQueueAttributesCommand({
      QueueUrl: queueUrl,
      Attributes: {
        VisibilityTimeout: String(webhookQueue.visibilityTimeoutS),
        MessageRetentionPeriod: String(webhookQueue.retentionS),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: Attributes?.QueueArn,
          maxReceiveCount: webhookQueue.maxReceiveCount,
        }),
      },
    }),
  )
  if (!queueUrl) throw new Error('The SQS emulator returned no queue URL')
  return queueUrl
}
