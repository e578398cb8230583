// A Lambda function as its own container, locally: a worker thread that loads the same handler module
// and runs one invocation at a time on its own event loop. A CPU-bound scan there can never delay an
// answer of the API, which runs on the main thread (a single process ran both, and /healthz stalled
// for 30 s during a 100,000-file scan). A thread that dies is replaced at the next invocation, as
// Lambda replaces a crashed container; the invocation it was running fails, so its batch comes back.
import { Worker } from 'node:worker_threads'
import type { Context } from 'aws-lambda'

export interface ThreadedFunction<Event, Result> {
  handler: (event: Event, context: Context) => Promise<Result>
  /** Stops the thread at once, mid-invocation, as a crashed container stops: its invocation fails. */
  kill(): Promise<void>
  close(): Promise<void>
}

interface Invocation {
  resolve: (value: unknown) => void
  reject: (error: Error) => void
}

export function lambdaThread<Event, Result>(module: URL, functionName: string): ThreadedFunction<Event, Result> {
  let thread: Worker | undefined
  let next = 0
  const pending = new Map<number, Invocation>()

  const failAll = (dead: Worker, error: Error) => {
    if (thread !== dead) return
    thread = undefined
    for (const invocation of pending.values()) invocation.reject(error)
    pending.clear()
  }

  // Started at the first invocation, so it copies the environment the stack has set up by then.
  const threadNow = () => {
    if (thread) return thread
    const started = new Worker(new URL('./lambda-thread-entry.ts', import.meta.url), {
      workerData: { module: module.href, functionName },
      // The thread loads TypeScript as `npm start` does (a test runner's own loader does not reach it).
      execArgv: withTsx(process.execArgv),
    })
    started.on('message', ({ id, result, error }: { id: number; result?: unknown; error?: string }) => {
      const invocation = pending.get(id)
      pending.delete(id)
      // An idle thread does not keep the process alive, as an idle container does not.
      if (pending.size === 0) started.unref()
      if (error === undefined) invocation?.resolve(result)
      else invocation?.reject(new Error(error))
    })
    started.on('error', (error) => failAll(started, error))
    started.on('exit', (code) => failAll(started, new Error(`${functionName} exited with code ${code}`)))
    started.unref()
    thread = started
    return started
  }

  return {
    handler: (event, context) =>
      new Promise<Result>((resolve, reject) => {
        const id = next++
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
        const target = threadNow()
        target.ref()
        target.postMessage({
          id,
          event,
          requestId: context.awsRequestId,
          timeoutMs: context.getRemainingTimeInMillis(),
        })
      }),
    async kill() {
      // `exit` fails what it was running (failAll), and the next invocation starts a new thread.
      await thread?.terminate()
    },
    async close() {
      const closing = thread
      thread = undefined
      await closing?.terminate()
    },
  }
}

function withTsx(execArgv: string[]): string[] {
  return execArgv.some((arg) => arg === 'tsx' || arg.startsWith('tsx/') || arg.includes('--import=tsx'))
    ? execArgv
    : [...execArgv, '--import', 'tsx']
}

/**
 * Several containers of one function, as Lambda runs concurrent invocations: each invocation goes to an
 * idle thread (the least busy one when none is idle). The local stack runs a large scan's shards at once,
 * one per core.
 */
export function lambdaThreads<Event, Result>(
  module: URL,
  functionName: string,
  count: number,
): ThreadedFunction<Event, Result> {
  const threads = Array.from({ length: Math.max(1, count) }, () => lambdaThread<Event, Result>(module, functionName))
  const running = threads.map(() => 0)
  return {
    handler: async (event, context) => {
      const target = running.indexOf(Math.min(...running))
      running[target]!++
      try {
        return await threads[target]!.handler(event, context)
      } finally {
        running[target]!--
      }
    },
    async kill() {
      await Promise.all(threads.map((thread) => thread.kill()))
    },
    async close() {
      await Promise.all(threads.map((thread) => thread.close()))
    },
  }
}
