// Its own worker: a low per-principal limit, set before any handler reads the configuration.
process.env.RATE_LIMIT_PER_MINUTE = '5'

import { describe, expect, it } from 'vitest'
import { handler as auth } from '../../functions/auth/handler.js'
import { loginLimits } from '../../shared/auth/limits.js'
import { call, newOwner } from '../support/identity.js'

const login = (email: string, password: string, sourceIp: string) =>
  call(auth, 'POST', '/v1/auth/login', { body: { email, password }, sourceIp })
const octet = () => Math.floor(Math.random() * 250)
const freshIp = () => `100.64.${octet()}.${octet()}`

/** Login windows are fixed (a minute, 15 minutes): start a test well inside both, so its attempts share them. */
async function awayFromWindowEdges() {
  const toEdge = Math.min(60_000 - (Date.now() % 60_000), 900_000 - (Date.now() % 900_000))
  if (toEdge < 10_000) await new Promise((resolve) => setTimeout(resolve, toEdge + 100))
}

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

  it('refuses a source that keeps failing on one account, right password included, and only on that account', async () => {
    const [person, other] = [await newOwner(), await newOwner()]
    const attacker = '198.51.100.7'
    await awayFromWindowEdges()

    const answers = []
    for (let i = 0; i < loginLimits().perAccountSource.limit; i++)
      answers.push((await login(person.email, 'wrong', attacker)).status)
    const right = await login(person.email, person.password, attacker)
    const elsewhere = await login(other.email, other.password, attacker)

    expect(answers.every((status) => status === 401)).toBe(true)
    expect(right.status).toBe(429)
    expect(right.json.error.code).toBe('rate_limited')
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0)
    expect(elsewhere.status).toBe(200)
  })

  it('lets the owner in from a source in good standing while many sources guess the password', async () => {
    const person = await newOwner()
    const home = '203.0.113.9'
    expect((await login(person.email, person.password, home)).status).toBe(200)
    await awayFromWindowEdges()
    const { perAccount, slowed } = loginLimits()

    // A spray from fresh addresses, each trying once, so no per-source limit ever fires, until refused.
    const spray = []
    while (spray.at(-1) !== 429 && spray.length < perAccount.limit + slowed.limit + 5)
      spray.push((await login(person.email, 'wrong', freshIp())).status)
    const owner = await login(person.email, person.password, home)
    const newDevice = await login(person.email, person.password, freshIp())

    expect(spray.at(-1)).toBe(429)
    expect(spray.length).toBeLessThanOrEqual(perAccount.limit + slowed.limit + 1)
    expect(owner.status).toBe(200)
    expect(owner.json.access_token).toEqual(expect.any(String))
    // A source the account never signed in from waits out the slowed minute, whatever the password.
    expect(newDevice.status).toBe(429)
    expect(Number(newDevice.headers['retry-after'])).toBeLessThanOrEqual(60)
  })

  it('counts an unknown account exactly as a known one, so the limits tell nothing about who exists', async () => {
    const person = await newOwner()
    const ghost = `ghost-${Date.now()}@example.com`
    await awayFromWindowEdges()
    const { perAccount, slowed } = loginLimits()

    const statuses = async (email: string) => {
      const seen = []
      for (let i = 0; i <= perAccount.limit + slowed.limit; i++) seen.push((await login(email, 'x', freshIp())).status)
      return seen
    }

    // newOwner() signed in once from an address of its own: the ghost gets the same first attempt.
    await login(ghost, 'x', freshIp())
    const known = await statuses(person.email)
    const unknown = await statuses(ghost)
    expect(unknown).toEqual(known)
    expect(unknown.at(-1)).toBe(429)
  }, 30_000)

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
