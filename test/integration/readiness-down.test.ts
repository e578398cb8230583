// Runs in its own worker, so its handlers can point at emulators this file starts and stops.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { type RunningEmulator, startS3, startSqs } from '../../infra/local/emulators.js'
import { ensureResources } from '../../infra/local/resources.js'
import { ErrorEnvelope } from '../../shared/http/envelope-schema.js'
import { invoke } from '../support/invoke.js'

let s3: RunningEmulator
let sqs: RunningEmulator
let handler: typeof import('../../functions/health/handler.js').handler

beforeAll(async () => {
  ;[s3, sqs] = await Promise.all([startS3(), startSqs()])
  const endpoints = { dynamodb: inject('endpoints').dynamodb, s3: s3.endpoint, sqs: sqs.endpoint }
  const resources = await ensureResources(endpoints, { prefix: 'readiness' })
  Object.assign(process.env, {
    TABLE_NAME: resources.tableName,
    UPLOADS_BUCKET: resources.bucketName,
    SCAN_QUEUE_URL: resources.scanQueueUrl,
    SCAN_DLQ_URL: resources.scanDlqUrl,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    READINESS_TIMEOUT_MS: '1500',
  })
  ;({ handler } = await import('../../functions/health/handler.js'))
})

afterAll(async () => {
  await Promise.all([s3?.stop(), sqs?.stop()])
})

describe('GET /v1/readyz with a dependency down', () => {
  it('is ready while all three answer', async () => {
    const answer = await invoke(handler, { method: 'GET', path: '/v1/readyz' })

    expect(answer.status).toBe(200)
  })

  it('answers 503 unavailable naming the stopped S3 emulator, and the others still ok', async () => {
    await s3.stop()

    const answer = await invoke(handler, { method: 'GET', path: '/v1/readyz' })

    expect(answer.status).toBe(503)
    const { error } = ErrorEnvelope.parse(answer.json)
    expect(error).toMatchObject({ code: 'unavailable', retryable: true, details: { retry_after_s: 5 } })
    expect(answer.headers['retry-after']).toBe('5')
    const checks = error.details.checks as Record<string, { status: string; duration_ms: number; error?: string }>
    expect(checks.s3).toMatchObject({ status: 'down', error: 'unreachable' })
    expect(checks.dynamodb?.status).toBe('ok')
    expect(checks.sqs?.status).toBe('ok')
    expect(answer.text).not.toContain(s3.endpoint)
  })

  it('reports every dependency that is down, within the deadline', async () => {
    await sqs.stop()
    const started = performance.now()

    const answer = await invoke(handler, { method: 'GET', path: '/v1/readyz' })

    expect(answer.status).toBe(503)
    expect(performance.now() - started).toBeLessThan(2_500)
    const checks = answer.json.error.details.checks
    expect([checks.dynamodb.status, checks.s3.status, checks.sqs.status]).toEqual(['ok', 'down', 'down'])
  })
})
