// Inside the thread lambdaThread() starts: loads the handler module once (the cold start) and runs each
// invocation it is sent with a Lambda context of its own.
import { parentPort, workerData } from 'node:worker_threads'
import { lambdaContext } from './event.js'

const { module, functionName } = workerData as { module: string; functionName: string }
const { handler } = (await import(module)) as { handler: (event: unknown, context: unknown) => Promise<unknown> }

parentPort?.on('message', async ({ id, event, requestId, timeoutMs }) => {
  try {
    const result = await handler(event, lambdaContext(functionName, requestId, timeoutMs))
    parentPort?.postMessage({ id, result })
  } catch (error) {
    parentPort?.postMessage({ id, error: (error as Error).message ?? String(error) })
  }
})
