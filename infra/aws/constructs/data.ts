// Stateful resources, built from the same definitions the local stack creates on the emulators
// (shared/data/table.ts, shared/storage/bucket.ts, shared/queue/queues.ts).
import { Duration, Validations } from 'aws-cdk-lib'
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb'
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods, ObjectOwnership } from 'aws-cdk-lib/aws-s3'
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs'
import { Construct } from 'constructs'
import { table } from '../../../shared/data/table.js'
import { scanDeadLetterQueue, scanQueue, webhookDeadLetterQueue, webhookQueue } from '../../../shared/queue/queues.js'
import { uploadsBucket } from '../../../shared/storage/bucket.js'
import type { StageSettings } from '../stages.js'

export class Data extends Construct {
  readonly table: TableV2
  readonly bucket: Bucket
  readonly accessLogs: Bucket
  readonly scanQueue: Queue
  readonly scanDeadLetterQueue: Queue
  readonly webhookQueue: Queue
  readonly webhookDeadLetterQueue: Queue

  constructor(scope: Construct, id: string, stage: StageSettings) {
    super(scope, id)
    const key = (name: string) => ({ name, type: AttributeType.STRING })

    this.table = new TableV2(this, table.id, {
      partitionKey: key(table.partitionKey),
      sortKey: key(table.sortKey),
      globalSecondaryIndexes: table.indexes.map((index) => ({
        indexName: index.name,
        partitionKey: key(index.partitionKey),
        sortKey: key(index.sortKey),
      })),
      // Traffic is spiky (pushes, scans) and idle most of the time: on-demand costs nothing at rest.
      billing: Billing.onDemand(),
      timeToLiveAttribute: table.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryptionV2.awsManagedKey(),
      deletionProtection: stage.deletionProtection,
      removalPolicy: stage.removalPolicy,
    })

    // Server access logs of the uploads bucket: who read or wrote which pushed repository.
    this.accessLogs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: stage.removalPolicy,
      lifecycleRules: [{ expiration: Duration.days(stage.name === 'prod' ? 365 : 30) }],
    })
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket itself; logging it into itself would loop',
    })

    // Not versioned: every object is written once under a key of its own (one per push attempt), the
    // input of one scan; deleting a repository must really delete its code, and versions would keep it.
    this.bucket = new Bucket(this, uploadsBucket.id, {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      removalPolicy: stage.removalPolicy,
      autoDeleteObjects: false,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'uploads-bucket/',
      lifecycleRules: [
        { prefix: uploadsBucket.uploadsPrefix, expiration: Duration.days(uploadsBucket.expireUploadsAfterDays) },
        { abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      // Presigned PUTs (bundles, legacy archives) from the dashboards' browsers; curl and git need no CORS.
      cors: stage.dashboardOrigins.length
        ? [
            {
              allowedMethods: [HttpMethods.PUT],
              allowedOrigins: stage.dashboardOrigins,
              allowedHeaders: ['content-type', 'content-length'],
              exposedHeaders: ['etag'],
              maxAge: 3600,
            },
          ]
        : undefined,
    })

    this.scanDeadLetterQueue = new Queue(this, scanDeadLetterQueue.id, {
      retentionPeriod: Duration.seconds(scanDeadLetterQueue.retentionS),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: stage.removalPolicy,
    })
    this.scanQueue = new Queue(this, scanQueue.id, {
      visibilityTimeout: Duration.seconds(scanQueue.visibilityTimeoutS),
      retentionPeriod: Duration.seconds(scanQueue.retentionS),
      deadLetterQueue: { queue: this.scanDeadLetterQueue, maxReceiveCount: scanQueue.maxReceiveCount },
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: stage.removalPolicy,
    })

    // Webhook deliveries (#19): a message reaches the DLQ only when the worker itself failed it five times.
    this.webhookDeadLetterQueue = new Queue(this, webhookDeadLetterQueue.id, {
      retentionPeriod: Duration.seconds(webhookDeadLetterQueue.retentionS),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: stage.removalPolicy,
    })
    this.webhookQueue = new Queue(this, webhookQueue.id, {
      visibilityTimeout: Duration.seconds(webhookQueue.visibilityTimeoutS),
      retentionPeriod: Duration.seconds(webhookQueue.retentionS),
      deadLetterQueue: { queue: this.webhookDeadLetterQueue, maxReceiveCount: webhookQueue.maxReceiveCount },
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: stage.removalPolicy,
    })
  }
}
