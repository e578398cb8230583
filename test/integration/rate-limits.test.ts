// Its own worker: a low per-principal limit, set before any handler reads the configuration.
process.env.RATE_LIMIT_PER_MINUTE = '5'

import { describe, expect, it } from 'vitest'
import { handler as auth } from '../../functions/auth/handler.js'
import { loginLimits } from '../../shared/auth/limits.js'
import { call, newOwner } from '../support/identity.js'

describe('rate limits', () => {
  it('counts down X-RateLimit-Remaining and answers 429 with Retry-After past the limit', async () => {
    const person = await newOwner()
    const remaining: number[] = []
    // The window is a calendar minute: start well inside one, so all six requests share it.
    const toNextMinute = 60_000 - (Date.now() % 60_000)
    if (toNextMinute < 8_000) await new Promise((resolve) => setTimeout(resolve, toNextMinute + 100))

    for (let i = 0; i < 5; i++) {
      const answer = await call(auth, 'GET', '/v1/auth/me', { as: person.token })
      expect(answer.status).toBe(200)
      expect(answer.headers['x-ratelimit-limit']).toBe('5')
      remaining.push(Number(answer.headers['x-ratelimit-remaining']))
    }
    const over = await call(auth, 'GET', '/v1/auth/me', { as: person.token })

    expect(remaining).toEqual([4, 3, 2, 1, 0])
    expect(over.status).toBe(429)
    expect(over.json.error).toMatchObject({ code: 'rate_limited', retryable: true })
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0)
    expect(over.json.error.details.retry_after_s).toBe(Number(over.headers['retry-after']))
    expect(over.headers['x-ratelimit-remaining']).toBe('0')
  }, 20_000)

  it('limits login attempts per account, whether or not the password is right', async () => {
    const person = await newOwner()
    const attempt = (password: string) =>
      call(auth, 'POST', '/v1/auth/login', { body: { email: person.email, password } })

    const answers = []
    for (let i = 0; i < loginLimits().perAccount.limit; i++) answers.push((await attempt('wrong')).status)
    const right = await attempt(person.password)

    expect(answers.every((status) => status === 401 || status === 429)).toBe(true)
    expect(right.status).toBe(429)
    expect(right.json.error.code).toBe('rate_limited')
  })

  it('answers 429 for an unknown account too, so the limit tells nothing about who exists', async () => {
    const email = `ghost-${Date.now()}@example.com`

    let last = 0
    for (let i = 0; i <= loginLimits().perAccount.limit; i++) {
      last = (await call(auth, 'POST', '/v1/auth/login', { body: { email, password: 'x' } })).status
    }

    expect(last).toBe(429)
  })

  it('limits login attempts per source address across accounts', async () => {
    const sourceIp = `192.0.2.${Math.floor(Math.random() * 250)}`

    const statuses = []
    for (let i = 0; i <= loginLimits().perSource.limit; i++) {
      const email = `spray-${i}-${Date.now()}@example.com`
      statuses.push((await call(auth, 'POST', '/v1/auth/login', { body: { email, password: 'x' }, sourceIp })).status)
    }

    expect(statuses.slice(0, loginLimits().perSource.limit).every((status) => status === 401)).toBe(true)
    expect(statuses.at(-1)).toBe(429)
  }, 30_000)
})
