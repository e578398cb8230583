// Stateful resources, built from the same definitions the local stack creates on the emulators.
import { Duration } from 'aws-cdk-lib'
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb'
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3'
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs'
import { Construct } from 'constructs'
import { table } from '../../../shared/data/table.js'
import { scanDeadLetterQueue, scanQueue } from '../../../shared/queue/queues.js'
import { uploadsBucket } from '../../../shared/storage/bucket.js'
import type { StageSettings } from '../stages.js'

export class Data extends Construct {
  readonly table: TableV2
  readonly bucket: Bucket
  readonly scanQueue: Queue
  readonly scanDeadLetterQueue: Queue

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
      billing: Billing.onDemand(),
      timeToLiveAttribute: table.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryptionV2.awsManagedKey(),
      deletionProtection: stage.deletionProtection,
      removalPolicy: stage.removalPolicy,
    })

    this.bucket = new Bucket(this, uploadsBucket.id, {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      removalPolicy: stage.removalPolicy,
      autoDeleteObjects: false,
      lifecycleRules: [
        { prefix: uploadsBucket.uploadsPrefix, expiration: Duration.days(uploadsBucket.expireUploadsAfterDays) },
        { abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
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
  }
}
