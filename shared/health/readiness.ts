// Readiness: each dependency checked in parallel with a deadline, so a hung one answers "down" in time.
// The commands come with the first check, not at import: the health function's liveness answer (what
// load balancers and monitors call) then starts without loading three SDK packages.
import { dynamo, s3, sdk, sqs } from '../aws/clients.js'
import { config } from '../config.js'

export interface Check {
  status: 'ok' | 'down'
  duration_ms: number
  /** A coarse reason (timeout, not_found, unreachable): never an endpoint, a message or a stack. */
  error?: 'timeout' | 'not_found' | 'unreachable'
}
export type Checks = { dynamodb: Check; s3: Check; sqs: Check }

export async function checkDependencies(): Promise<Checks> {
  const { TABLE_NAME, UPLOADS_BUCKET, SCAN_QUEUE_URL, READINESS_TIMEOUT_MS } = config()
  const { DescribeTableCommand } = sdk.dynamodb()
  const { HeadBucketCommand } = sdk.s3()
  const { GetQueueAttributesCommand } = sdk.sqs()
  const [dynamodb, bucket, queue] = await Promise.all([
    timed(READINESS_TIMEOUT_MS, (abortSignal) =>
      dynamo().send(new DescribeTableCommand({ TableName: TABLE_NAME }), { abortSignal }),
    ),
    timed(READINESS_TIMEOUT_MS, (abortSignal) =>
      s3().send(new HeadBucketCommand({ Bucket: UPLOADS_BUCKET }), { abortSignal }),
    ),
    timed(READINESS_TIMEOUT_MS, (abortSignal) =>
      sqs().send(new GetQueueAttributesCommand({ QueueUrl: SCAN_QUEUE_URL, AttributeNames: ['QueueArn'] }), {
        abortSignal,
      }),
    ),
  ])
  return { dynamodb, s3: bucket, sqs: queue }
}

export const allOk = (checks: Checks) => Object.values(checks).every((check) => check.status === 'ok')

async function timed(deadlineMs: number, call: (signal: AbortSignal) => Promise<unknown>): Promise<Check> {
  const started = performance.now()
  const signal = AbortSignal.timeout(deadlineMs)
  const duration = () => Math.round((performance.now() - started) * 10) / 10
  try {
    await call(signal)
    return { status: 'ok', duration_ms: duration() }
  } catch (error) {
    return { status: 'down', duration_ms: duration(), error: reason(error, signal) }
  }
}

function reason(error: unknown, signal: AbortSignal): Check['error'] {
  if (signal.aborted) return 'timeout'
  const name = (error as { name?: string }).name ?? ''
  if (/NotFound|NoSuchBucket|QueueDoesNotExist/.test(name)) return 'not_found'
  return 'unreachable'
}
