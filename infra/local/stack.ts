// The embedded stack behind `npm start`: emulators, resources, the debug user, the local API Gateway
// and the scan-queue poller, in that order, each step timed. The tests start it the same way.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { newSigningSecret } from '../../shared/crypto/secret.js'
import { createOwnerIfAbsent } from '../../shared/data/users.js'
import { importAdvisoriesFrom } from '../../shared/ops/advisory-import.js'
import { scanQueue, webhookQueue, webhookWorkerTimeoutS } from '../../shared/queue/queues.js'
import { stageThrottles, type Throttle } from '../aws/throttles.js'
import { type RunningEmulator, startDynamoDb, startS3, startSqs } from './emulators.js'
import { type Poller, type SqsHandler, startPoller } from './poller.js'
import { type Endpoints, ensureResources, type LocalResources, localCredentials, localRegion } from './resources.js'
import { startApiServer } from './server.js'

/** Real OSV records shipped as test data; `npm run advisories -- import` loads more. */
export const shippedAdvisories = fileURLToPath(new URL('../../test/fixtures/osv', import.meta.url))

export const debugUser = {
  email: 'debug@example.com',
  password: 'vega-debug-password',
  name: 'Debug User',
  workspaceName: 'Debug workspace',
}

export interface StackOptions {
  /** Where the emulators keep their data; the folder survives restarts. */
  dataDir: string
  /** API port; 0 picks a free one. */
  port: number
  /** Emulator ports; 0 or absent picks free ones. */
  emulatorPorts?: { dynamodb?: number; s3?: number; sqs?: number }
  /** The scan worker handler the poller feeds (functions/scan-worker). */
  worker?: SqsHandler
  /** Scan messages handled at once (a large scan's shards run in parallel); 1 by default. */
  workerConcurrency?: number
  /** The webhook worker handler (functions/webhook-worker) the second poller feeds. */
  webhookWorker?: SqsHandler
  /** The scheduled cleanup handler (functions/cleanup), run every minute. */
  cleanup?: () => Promise<unknown>
  visibilityTimeoutS?: number
  /** The local gateway's throttle: the dev stage's by default, as deployed; false for none (benchmarks). */
  throttle?: Throttle | false
  log?: (line: string) => void
}

export interface RunningStack {
  url: string
  emulators: { dynamodb: RunningEmulator; s3: RunningEmulator; sqs: RunningEmulator }
  resources: LocalResources
  poller?: Poller
  webhookPoller?: Poller
  /** Child process ids, for a last-resort kill when the parent dies abruptly. */
  pids: number[]
  stop(): Promise<void>
}

export async function startStack(options: StackOptions): Promise<RunningStack> {
  const log = options.log ?? (() => {})
  const dataDir = resolve(options.dataDir)
  const step = async <T>(label: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now()
    const result = await work()
    log(`vega: ${label} (${Math.round(performance.now() - started)} ms)`)
    return result
  }

  const started = await step('emulators started', () =>
    Promise.allSettled([
      startDynamoDb({ dataDir: join(dataDir, 'dynamodb'), port: options.emulatorPorts?.dynamodb, log }),
      startS3({ dataDir: join(dataDir, 's3'), port: options.emulatorPorts?.s3, log }),
      startSqs({ dataDir: join(dataDir, 'sqs'), port: options.emulatorPorts?.sqs, log }),
    ]),
  )
  const failures = started.filter((result) => result.status === 'rejected')
  if (failures.length) {
    await Promise.all(started.map((result) => (result.status === 'fulfilled' ? result.value.stop() : undefined)))
    throw (failures[0] as PromiseRejectedResult).reason
  }
  const [dynamodb, s3, sqs] = started.map((result) => (result as PromiseFulfilledResult<RunningEmulator>).value) as [
    RunningEmulator,
    RunningEmulator,
    RunningEmulator,
  ]
  const emulators = { dynamodb, s3, sqs }
  const pids = [dynamodb.pid, s3.pid].filter((pid): pid is number => pid !== undefined)
  // Whatever ends this process (a clean exit, an uncaught error), the emulators it spawned die with it.
  const killChildren = () => {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
  }
  process.once('exit', killChildren)
  const stopEmulators = async () => {
    process.off('exit', killChildren)
    await Promise.all([dynamodb.stop(), s3.stop(), sqs.stop()])
  }

  try {
    const endpoints = { dynamodb: dynamodb.endpoint, s3: s3.endpoint, sqs: sqs.endpoint }
    const resources = await step('table, bucket and queues ready', () =>
      ensureResources(endpoints, { visibilityTimeoutS: options.visibilityTimeoutS }),
    )
    const throttle = options.throttle === false ? undefined : (options.throttle ?? stageThrottles.dev)
    const api = await startApiServer({ port: options.port, log, throttle })
    Object.assign(process.env, handlerEnvironment('local', endpoints, resources, signingKeyFile(dataDir), api.url))
    await step(`debug user ${debugUser.email} ready`, () => createOwnerIfAbsent(debugUser))
    // The small set of real OSV advisories the project ships, so a local scan finds vulnerable packages.
    const advisories = await step('advisories imported', () => importAdvisoriesFrom(shippedAdvisories))
    log(`vega: ${advisories.imported + advisories.updated} advisories from ${shippedAdvisories}`)
    const poller = options.worker
      ? startPoller({
          endpoint: sqs.endpoint,
          queueUrl: resources.scanQueueUrl,
          handler: options.worker,
          batchSize: scanQueue.batchSize,
          concurrency: options.workerConcurrency,
          log,
        })
      : undefined
    const webhookPoller = options.webhookWorker
      ? startPoller({
          endpoint: sqs.endpoint,
          queueUrl: resources.webhookQueueUrl,
          handler: options.webhookWorker,
          batchSize: webhookQueue.batchSize,
          functionName: 'vega-local-webhook-worker',
          timeoutMs: webhookWorkerTimeoutS * 1000,
          log,
        })
      : undefined
    // The scheduled cleanup, as EventBridge would run it in AWS.
    const cleanup = options.cleanup
    const sweeping = cleanup
      ? setInterval(() => cleanup().catch((error) => log(`vega: cleanup failed: ${(error as Error).message}`)), 60_000)
      : undefined
    return {
      url: api.url,
      emulators,
      resources,
      poller,
      webhookPoller,
      pids,
      async stop() {
        clearInterval(sweeping)
        await poller?.stop()
        await webhookPoller?.stop()
        await api.close()
        await stopEmulators()
      },
    }
  } catch (error) {
    await stopEmulators()
    throw error
  }
}

/** The local signing key, made once and kept with the data, so tokens survive a restart. */
export function signingKeyFile(dataDir: string): string {
  const file = join(dataDir, 'secrets', 'jwt-signing-key')
  if (!existsSync(file)) {
    mkdirSync(join(dataDir, 'secrets'), { recursive: true, mode: 0o700 })
    writeFileSync(file, newSigningSecret(), { mode: 0o600, flag: 'wx' })
  }
  return file
}

/** The environment the handlers read, as CDK sets it in AWS; the SDK picks up the endpoints itself. */
export function handlerEnvironment(
  stage: string,
  endpoints: Endpoints,
  resources: LocalResources,
  jwtSecretFile: string,
  url?: string,
): Record<string, string> {
  return {
    STAGE: stage,
    JWT_SECRET_FILE: jwtSecretFile,
    TABLE_NAME: resources.tableName,
    UPLOADS_BUCKET: resources.bucketName,
    SCAN_QUEUE_URL: resources.scanQueueUrl,
    SCAN_DLQ_URL: resources.scanDlqUrl,
    WEBHOOK_QUEUE_URL: resources.webhookQueueUrl,
    // A local stack delivers webhooks to receivers on this machine (plain http, loopback); AWS stages never.
    WEBHOOK_ALLOW_LOCAL_TARGETS: 'true',
    ...(url ? { PUBLIC_BASE_URL: url } : {}),
    S3_FORCE_PATH_STYLE: 'true',
    // No gateway in front: a push may wait for its verdict as long as a CI step allows.
    GIT_PUSH_WAIT_MAX_S: '600',
    AWS_REGION: localRegion,
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    // No CloudWatch here: embedded-metric lines would only clutter the console.
    POWERTOOLS_METRICS_DISABLED: 'true',
  }
}
