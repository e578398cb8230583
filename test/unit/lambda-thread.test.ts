// The local stack runs the scan worker as Lambda would, in a container of its own: a worker thread.
import type { Context } from 'aws-lambda'
import { afterEach, describe, expect, it } from 'vitest'
import { lambdaContext } from '../../infra/local/event.js'
import { lambdaThread } from '../../infra/local/lambda-thread.js'

type Event = { spinMs?: number; die?: boolean }
type Result = { functionName: string; probe: string | null }

const module = new URL('../fixtures/lambda/busy-handler.ts', import.meta.url)
const context = (): Context => lambdaContext('test-fn', 'req-1', 10_000)
let fn: ReturnType<typeof lambdaThread<Event, Result>> | undefined

afterEach(async () => {
  await fn?.close()
  delete process.env.VEGA_THREAD_PROBE
})

describe('a Lambda function in a thread of its own', () => {
  it('keeps the main event loop free while the handler holds the CPU', async () => {
    fn = lambdaThread<Event, Result>(module, 'busy')
    await fn.handler({}, context()) // the cold start, outside the measure
    const lags: number[] = []
    let last = performance.now()
    const ticker = setInterval(() => {
      const now = performance.now()
      lags.push(now - last - 10)
      last = now
    }, 10)

    const result = await fn.handler({ spinMs: 1_500 }, context())
    clearInterval(ticker)

    expect(result.functionName).toBe('busy')
    expect(lags.length).toBeGreaterThan(50)
    // In one thread the ticker would not run at all for 1.5 s.
    expect(Math.max(...lags)).toBeLessThan(500)
  })

  it('fails the invocation of a thread that dies, and runs the next one in a new thread', async () => {
    fn = lambdaThread<Event, Result>(module, 'fragile')

    await expect(fn.handler({ die: true }, context())).rejects.toThrow(/fragile exited with code 3/)
    const after = await fn.handler({}, context())

    expect(after.functionName).toBe('fragile')
  })

  it('kills a thread mid-invocation: the invocation fails at once, and the next one runs in a new thread', async () => {
    fn = lambdaThread<Event, Result>(module, 'killed')
    await fn.handler({}, context())

    const running = fn.handler({ spinMs: 10_000 }, context())
    await new Promise((wake) => setTimeout(wake, 200))
    const started = performance.now()
    await fn.kill()

    await expect(running).rejects.toThrow(/killed exited with code 1/)
    expect(performance.now() - started).toBeLessThan(2_000)
    expect((await fn.handler({}, context())).functionName).toBe('killed')
  })

  it('sees the environment the stack set before its first invocation', async () => {
    process.env.VEGA_THREAD_PROBE = 'set-by-the-stack'
    fn = lambdaThread<Event, Result>(module, 'env')

    expect((await fn.handler({}, context())).probe).toBe('set-by-the-stack')
  })
})
