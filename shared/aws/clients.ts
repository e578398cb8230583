// The AWS SDK clients, one of each per process, created on first use. Endpoints come from the SDK's own
// AWS_ENDPOINT_URL_* variables, so this code is the same under `npm start` and in Lambda.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { S3Client } from '@aws-sdk/client-s3'
import { SQSClient } from '@aws-sdk/client-sqs'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { config } from '../config.js'

let dynamoClient: DynamoDBClient | undefined
let documentClient: DynamoDBDocumentClient | undefined
let s3Client: S3Client | undefined
let sqsClient: SQSClient | undefined

export const dynamo = () => (dynamoClient ??= new DynamoDBClient({ region: config().AWS_REGION }))

export const documents = () =>
  (documentClient ??= DynamoDBDocumentClient.from(dynamo(), { marshallOptions: { removeUndefinedValues: true } }))

export const s3 = () =>
  (s3Client ??= new S3Client({
    region: config().AWS_REGION,
    forcePathStyle: config().S3_FORCE_PATH_STYLE,
    // Checksums only where S3 requires them: presigned PUT URLs otherwise carry the CRC32 of an empty
    // body, which real S3 rejects for real data (aws/aws-sdk-js-v3#6994; research/local-emulators.md).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  }))

// Address SQS through the configured endpoint, not the host inside a queue URL: in AWS they are the same,
// and an emulator's queue URLs name hosts that need not resolve (sqs.us-east-1.localhost).
export const sqs = () => (sqsClient ??= new SQSClient({ region: config().AWS_REGION, useQueueUrlAsEndpoint: false }))
