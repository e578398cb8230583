import { describe, expect, it } from 'vitest'
import { handler } from '../../functions/health/handler.js'
import { Health, Readiness } from '../../shared/routes/health.js'
import { invoke } from '../support/invoke.js'

describe('GET /v1/healthz', () => {
  it('answers 200 without touching a dependency', async () => {
    const answer = await invoke(handler, { method: 'GET', path: '/v1/healthz' })

    expect(answer.status).toBe(200)
    expect(Health.parse(answer.json).status).toBe('ok')
  })
})

describe('GET /v1/readyz', () => {
  it('answers 200 with DynamoDB, S3 and SQS each ok and timed', async () => {
    const answer = await invoke(handler, { method: 'GET', path: '/v1/readyz' })

    expect(answer.status).toBe(200)
    const { checks } = Readiness.parse(answer.json)
    for (const check of Object.values(checks)) {
      expect(check.status).toBe('ok')
      expect(check.duration_ms).toBeGreaterThanOrEqual(0)
    }
  })
})
