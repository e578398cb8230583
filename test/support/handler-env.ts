// Points the handlers of every test file at the shared emulators, as the local stack does at start.
import { inject } from 'vitest'
import { localCredentials, localRegion } from '../../infra/local/resources.js'

const endpoints = inject('endpoints')
const resources = inject('resources')

Object.assign(process.env, {
  STAGE: 'test',
  JWT_SECRET_FILE: inject('jwtSecretFile'),
  TABLE_NAME: resources.tableName,
  UPLOADS_BUCKET: resources.bucketName,
  SCAN_QUEUE_URL: resources.scanQueueUrl,
  SCAN_DLQ_URL: resources.scanDlqUrl,
  S3_FORCE_PATH_STYLE: 'true',
  AWS_REGION: localRegion,
  AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
  AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
  AWS_ENDPOINT_URL_S3: endpoints.s3,
  AWS_ENDPOINT_URL_SQS: endpoints.sqs,
})
