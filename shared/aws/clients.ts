// The AWS SDK clients, one of each per process, created on first use. Endpoints come from the SDK's own
// AWS_ENDPOINT_URL_* variables, so this code is the same under `npm start` and in Lambda.
import { createRequire } from 'node:module'
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import type { S3Client } from '@aws-sdk/client-s3'
import type { SQSClient } from '@aws-sdk/client-sqs'
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { config } from '../config.js'

// Each SDK package loads with its first client, not at cold start: importing one costs 15 to 110 ms
// (DynamoDB's the most, S3's about 70), and a function loads only those it uses. `require` keeps these
// getters synchronous; the bundles leave @aws-sdk/* to the runtime, which serves require() and import alike.
const load = createRequire(import.meta.url)
/** The SDK packages, each loaded on first use: a module that sends a command only now and then takes it from here. */
export const sdk = {
  dynamodb: () => load('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb'),
  documents: () => load('@aws-sdk/lib-dynamodb') as typeof import('@aws-sdk/lib-dynamodb'),
  s3: () => load('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3'),
  sqs: () => load('@aws-sdk/client-sqs') as typeof import('@aws-sdk/client-sqs'),
  presigner: () => load('@aws-sdk/s3-request-presigner') as typeof import('@aws-sdk/s3-request-presigner'),
  secretsManager: () => load('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager'),
}

let dynamoClient: DynamoDBClient | undefined
let documentClient: DynamoDBDocumentClient | undefined
let s3Client: S3Client | undefined
let sqsClient: SQSClient | undefined

export const dynamo = () => (dynamoClient ??= new (sdk.dynamodb().DynamoDBClient)({ region: config().AWS_REGION }))

export const documents = () =>
  (documentClient ??= sdk.documents().DynamoDBDocumentClient.from(dynamo(), {
    marshallOptions: { removeUndefinedValues: true },
  }))

export const s3 = () =>
  (s3Client ??= new (sdk.s3().S3Client)({
    region: config().AWS_REGION,
    forcePathStyle: config().S3_FORCE_PATH_STYLE,
    // Checksums only where S3 requires them: presigned PUT URLs otherwise carry the CRC32 of an empty
    // body, which real S3 rejects for real data (aws/aws-sdk-js-v3#6994; research/local-emulators.md).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  }))

// Address SQS through the configured endpoint, not the host inside a queue URL: in AWS they are the same,
// and an emulator's queue URLs name hosts that need not resolve (sqs.us-east-1.localhost).
export const sqs = () =>
  (sqsClient ??= new (sdk.sqs().SQSClient)({ region: config().AWS_REGION, useQueueUrlAsEndpoint: false }))
