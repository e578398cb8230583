// `npm start`: the whole of Vega on one machine. Configuration by environment variable (README):
// PORT (8000), VEGA_DATA_DIR (.local), VEGA_DYNAMODB_PORT / VEGA_S3_PORT / VEGA_SQS_PORT (PORT+1..3).

import { availableParallelism } from 'node:os'
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda'
import { lambdaThread, lambdaThreads } from './lambda-thread.js'
import { debugUser, type RunningStack, startStack } from './stack.js'

const port = Number(process.env.PORT ?? 8000)
const emulatorPort = (name: string, offset: number) => Number(process.env[name] ?? (port === 0 ? 0 : port + offset))

const log = (line: string) => console.log(line)
const started = performance.now()
log(`vega: starting the local stack (data in ${process.env.VEGA_DATA_DIR ?? '.local'}/)`)

// One worker container per core: a large scan's shards (shared/worker/shards.ts) run side by side.
const workerConcurrency = availableParallelism()
const scanWorker = lambdaThreads<SQSEvent, SQSBatchResponse | undefined>(
  new URL('../../functions/scan-worker/handler.ts', import.meta.url),
  'vega-local-scan-worker',
  workerConcurrency,
)
const webhookWorker = lambdaThread<SQSEvent, SQSBatchResponse | undefined>(
  new URL('../../functions/webhook-worker/handler.ts', import.meta.url),
  'vega-local-webhook-worker',
)
let stack: RunningStack | undefined
try {
  stack = await startStack({
    dataDir: process.env.VEGA_DATA_DIR ?? '.local',
    port,
    emulatorPorts: {
      dynamodb: emulatorPort('VEGA_DYNAMODB_PORT', 1),
      s3: emulatorPort('VEGA_S3_PORT', 2),
      sqs: emulatorPort('VEGA_SQS_PORT', 3),
    },
    // The same module Lambda runs for the worker, fed by the local SQS event source, in a thread of its
    // own as in a container of its own: a scan never delays an API answer.
    worker: scanWorker.handler,
    workerConcurrency,
    webhookWorker: webhookWorker.handler,
    cleanup: (await import('../../functions/cleanup/handler.js')).handler,
    log,
  })
} catch (error) {
  console.error(`vega: the local stack did not start: ${(error as Error).message}`)
  process.exit(1)
}

const { url, emulators } = stack
log(`
vega: ready in ${((performance.now() - started) / 1000).toFixed(1)} s
  API        ${url}/v1
  Docs       ${url}/v1/docs
  OpenAPI    ${url}/v1/openapi.json
  Login      ${debugUser.email} / ${debugUser.password}
  Emulators  DynamoDB ${emulators.dynamodb.endpoint}  S3 ${emulators.s3.endpoint}  SQS ${emulators.sqs.endpoint}
  Ctrl-C stops everything.
`)

let stopping = false
async function shutdown(signal: string) {
  if (stopping) return
  stopping = true
  log(`vega: ${signal}, stopping…`)
  await stack?.stop()
  await scanWorker.close()
  await webhookWorker.close()
  log('vega: stopped')
  process.exit(0)
}
process.on('SIGINT', () => void shutdown('SIGINT'))
process.on('SIGTERM', () => void shutdown('SIGTERM'))
