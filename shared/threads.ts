// Worker threads that run the module that starts them: in a Lambda bundle, the bundle itself; under tsx
// (the local stack, tests) the module is TypeScript, so the thread needs the same loader.
import { Worker } from 'node:worker_threads'

/** A thread running the module at `moduleUrl` (its `import.meta.url`) with this `workerData`. */
export function moduleThread(moduleUrl: string, workerData: unknown): Worker {
  const url = new URL(moduleUrl)
  return new Worker(url, { workerData, execArgv: url.pathname.endsWith('.ts') ? ['--import', 'tsx'] : undefined })
}
