// An SQS event as Lambda's event source hands it over, for calling the worker directly (tests, benchmarks).
import type { SQSEvent, SQSRecord } from 'aws-lambda'

export const sqsRecord = (body: unknown, messageId = 'm1'): SQSRecord => ({
  messageId,
  receiptHandle: 'r',
  body: JSON.stringify(body),
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: '0',
    SenderId: 's',
    ApproximateFirstReceiveTimestamp: '0',
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:test',
  awsRegion: 'us-east-1',
})

export const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records })
