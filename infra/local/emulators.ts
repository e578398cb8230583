// Real local emulators for DynamoDB, S3 and SQS on 127.0.0.1, used by `npm start` and the integration tests.
// Choices and traps come from docs/research (local-emulators.md, toolchain.md §7):
//   DynamoDB: DynamoDB Local (java child process), the only emulator with transactions, TTL API and PartiQL.
//   S3: s3rver 3.7.1 (node child process), the only one passing large presigned PUTs, expiry and CORS preflight.
//   SQS: fauxqs 2.4.1 in-process, durable through its SQLite PersistenceManager.
// Nothing here registers process-wide handlers: the caller owns signals and must call stop().
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb'
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3'
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs'
import { type BuildAppOptions, buildApp } from 'fauxqs'

export interface RunningEmulator {
  name: 'dynamodb' | 's3' | 'sqs'
  endpoint: string
  /** child pid for child processes; undefined for in-process emulators */
  pid: number | undefined
  /** idempotent; resolves once the process has exited or the server is closed */
  stop(): Promise<void>
}

export interface EmulatorOptions {
  /** persistent folder for this emulator's data; when absent, data lives in memory (or a temp dir removed on stop) */
  dataDir?: string
  /** 0 or absent: a free port chosen by the OS */
  port?: number
  /** progress lines; default no-op */
  log?: (line: string) => void
}

const HOST = '127.0.0.1'
const READY_TIMEOUT_MS = 30_000
const POLL_INTERVAL_MS = 100
const KILL_GRACE_MS = 5_000
const STDERR_TAIL_CHARS = 4_000

// Shared SDK settings for readiness probes. maxAttempts 1: the poll loop is the retry, and the SDK's own
// backoff would only hide how long start-up really takes. s3rver rejects every access key id except S3RVER
// (InvalidAccessKeyId, though it never checks SigV4 signatures); the other emulators accept anything.
const probeConfig = (endpoint: string, key = 'local') => ({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: key, secretAccessKey: key },
  maxAttempts: 1,
  // throwOnRequestTimeout: without it the SDK only logs a warning and a probe against a silent listener hangs forever
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true },
})

/** A port that was free a moment ago on 127.0.0.1 (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, HOST)
  await once(server, 'listening')
  const address = server.address()
  server.close()
  await once(server, 'close')
  if (address === null || typeof address === 'string') throw new Error('freePort: no TCP address')
  return address.port
}

/**
 * An explicit port must be free now: otherwise the readiness probe could be answered by whoever holds it (say, a
 * stale emulator from an earlier run) while our own child fails to bind.
 */
async function pickPort(port: number | undefined): Promise<number> {
  if (!port) return freePort()
  const server = createServer()
  server.listen(port, HOST)
  try {
    await once(server, 'listening') // rejects on 'error'
  } catch (error) {
    throw new Error(`port ${port} on ${HOST} is not available (${String(error)})`)
  }
  server.close()
  await once(server, 'close')
  return port
}

interface DynamoDbLocalFetcher {
  ensureDynamoDbLocal(log: (line: string) => void): string
  dynamoDbLocalDir: string
}

export async function startDynamoDb(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const log = options.log ?? (() => {})
  // Loaded by URL with a typed cast: the fetcher is plain .mjs (it runs as npm postinstall on any Node) and has no
  // declaration file.
  const fetcher: DynamoDbLocalFetcher = await import(new URL('./fetch-dynamodb-local.mjs', import.meta.url).href)
  fetcher.ensureDynamoDbLocal(log) // no-op once .cache/dynamodb-local holds the jar
  const port = await pickPort(options.port)
  const endpoint = `http://${HOST}:${port}`
  // -disableTelemetry: DynamoDB Local phones home otherwise. Tiered/Serial GC: ~40 % faster start under load.
  // There is no bind-address option: it listens on all interfaces; clients only ever use 127.0.0.1.
  const args = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-jar', 'DynamoDBLocal.jar', '-disableTelemetry']
  // -sharedDb (in memory too): without it DynamoDB Local keeps one database per access key and region, so a client
  // with other credentials than whoever created the tables would see none.
  args.push('-port', String(port), '-sharedDb')
  if (options.dataDir) {
    // absolute path: the cwd is the jar's folder, so a relative dbPath would land there
    const dataDir = resolve(options.dataDir)
    mkdirSync(dataDir, { recursive: true })
    args.push('-dbPath', dataDir)
  } else {
    args.push('-inMemory')
  }
  const child = spawn('java', args, { cwd: fetcher.dynamoDbLocalDir, stdio: ['ignore', 'ignore', 'pipe'] })
  const probe = async () => {
    const client = new DynamoDBClient(probeConfig(endpoint))
    try {
      await client.send(new ListTablesCommand({}))
    } finally {
      client.destroy()
    }
  }
  const spawnHint = (error: NodeJS.ErrnoException) =>
    error.code === 'ENOENT' ? `DynamoDB Local needs Java 17+ on PATH (${error.message})` : error.message
  // DynamoDB Local does not exit when it cannot bind its port: it prints the exception and idles forever.
  const fatalStderr = /Failed to bind|Exception in thread "main"/
  return startChild({ name: 'dynamodb', endpoint, child, probe, log, spawnHint, fatalStderr })
}

export async function startS3(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const log = options.log ?? (() => {})
  const port = await pickPort(options.port)
  const endpoint = `http://${HOST}:${port}`
  // s3rver answers ListBuckets with 500 ENOENT when its directory is missing, so create it first.
  const dir = options.dataDir ? resolve(options.dataDir) : mkdtempSync(join(tmpdir(), 'vega-s3-'))
  mkdirSync(dir, { recursive: true })
  const packageJson = createRequire(import.meta.url).resolve('s3rver/package.json')
  const bin = join(dirname(packageJson), 'bin', 's3rver.js')
  // --openssl-legacy-provider: s3rver DES-encrypts ListObjectsV2 continuation tokens; without the legacy provider
  // every paginated listing answers InternalError (ERR_OSSL_EVP_UNSUPPORTED), still true on Node 24.
  const args = ['--openssl-legacy-provider', bin, '-d', dir, '-a', HOST, '-p', String(port), '--silent']
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  const probe = async () => {
    const client = new S3Client({ ...probeConfig(endpoint, 'S3RVER'), forcePathStyle: true })
    try {
      await client.send(new ListBucketsCommand({}))
    } finally {
      client.destroy()
    }
  }
  const cleanup = options.dataDir ? undefined : () => rmSync(dir, { recursive: true, force: true })
  return startChild({ name: 's3', endpoint, child, probe, log, cleanup })
}

export async function startSqs(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const log = options.log ?? (() => {})
  const started = Date.now()
  const stores = options.dataDir ? await durableStores(resolve(options.dataDir)) : undefined
  const app = buildApp({ logger: false, stores: stores?.stores })
  if (stores) app.addHook('preClose', () => stores.close())
  let endpoint: string
  try {
    endpoint = await listenAndProbe(app, options.port ?? 0)
  } catch (error) {
    await app.close() // also closes the SQLite store through the preClose hook
    throw error
  }
  log(`vega: sqs ready at ${endpoint} in ${Date.now() - started} ms${options.dataDir ? ' (durable)' : ''}`)
  let stopping: Promise<void> | undefined
  const stop = () => {
    stopping ??= app.close().then(() => log('vega: sqs stopped'))
    return stopping
  }
  return { name: 'sqs', endpoint, pid: undefined, stop }
}

async function listenAndProbe(app: ReturnType<typeof buildApp>, port: number): Promise<string> {
  // Explicit 127.0.0.1: fauxqs' own startFauxqs() always binds 0.0.0.0.
  await app.listen({ host: HOST, port })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('fauxqs: no TCP address')
  const endpoint = `http://${HOST}:${address.port}`
  const client = new SQSClient(probeConfig(endpoint))
  try {
    await client.send(new ListQueuesCommand({}))
  } finally {
    client.destroy()
  }
  return endpoint
}

type Stores = NonNullable<BuildAppOptions['stores']>
type PersistenceManager = NonNullable<Stores['sqsStore']['persistence']>
type Constructor<T, A extends unknown[] = []> = new (...args: A) => T

/**
 * fauxqs' durable SQLite stores, wired onto a 127.0.0.1 listener. buildApp() has no dataDir option and
 * startFauxqs({ dataDir }) binds 0.0.0.0, so this repeats startFauxqs' wiring (fauxqs 2.4.1 dist/app.js).
 * The modules are not in the package's "exports", hence the file URLs. Fragile across versions: keep the pin.
 */
async function durableStores(dataDir: string): Promise<{ stores: Stores; close: () => void }> {
  const base = import.meta.resolve('fauxqs') // …/fauxqs/dist/app.js
  const load = async <T>(path: string, exportName: string): Promise<T> => {
    const module: Record<string, unknown> = await import(new URL(path, base).href)
    return module[exportName] as T
  }
  const Manager = await load<Constructor<PersistenceManager, [string]>>('./persistence.js', 'PersistenceManager')
  const SqsStore = await load<Constructor<Stores['sqsStore']>>('./sqs/sqsStore.js', 'SqsStore')
  const SnsStore = await load<Constructor<Stores['snsStore']>>('./sns/snsStore.js', 'SnsStore')
  const S3Store = await load<Constructor<Stores['s3Store']>>('./s3/s3Store.js', 'S3Store')
  const stores = { sqsStore: new SqsStore(), snsStore: new SnsStore(), s3Store: new S3Store() }
  const manager = new Manager(dataDir) // creates dataDir and fauxqs.db
  // Load BEFORE attaching persistence, as startFauxqs does: re-inserting while attached would cascade-delete.
  manager.load(stores.sqsStore, stores.snsStore, stores.s3Store)
  stores.sqsStore.persistence = manager
  stores.snsStore.persistence = manager
  stores.s3Store.persistence = manager
  for (const queue of stores.sqsStore.allQueues()) queue.persistence = manager
  return { stores, close: () => manager.close() }
}

interface ChildStart {
  name: 'dynamodb' | 's3'
  endpoint: string
  child: ChildProcess
  probe: () => Promise<void>
  log: (line: string) => void
  spawnHint?: (error: NodeJS.ErrnoException) => string
  /** stderr output that means start-up failed even though the process stays alive */
  fatalStderr?: RegExp
  cleanup?: () => void
}

/** Waits until the child answers `probe`, or rejects with its stderr tail if it dies first. */
async function startChild(start: ChildStart): Promise<RunningEmulator> {
  const { name, endpoint, child, log } = start
  const started = Date.now()
  let stderr = ''
  const failed = new Promise<Error>((resolveFailed) => {
    const tail = () => stderr.trim() || '(no stderr)'
    child.stderr?.setEncoding('utf8')
    // keep draining after start-up too, or a chatty child would block on a full pipe
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS)
      if (start.fatalStderr?.test(stderr)) resolveFailed(new Error(`${name} emulator failed to start:\n${tail()}`))
    })
    child.on('error', (error) => resolveFailed(new Error(start.spawnHint?.(error) ?? error.message)))
    child.once('exit', (code, signal) => {
      resolveFailed(
        new Error(`${name} emulator exited before it was ready (code ${code}, signal ${signal}):\n${tail()}`),
      )
    })
  })

  let stopping: Promise<void> | undefined
  const stop = () => {
    stopping ??= killChild(child).then(() => {
      start.cleanup?.()
      log(`vega: ${name} stopped`)
    })
    return stopping
  }

  const abort = new AbortController()
  const outcome = await Promise.race([waitUntilReady(name, start.probe, abort.signal), failed])
  abort.abort()
  if (outcome instanceof Error) {
    await stop()
    throw outcome
  }
  log(`vega: ${name} ready at ${endpoint} in ${Date.now() - started} ms (pid ${child.pid})`)
  return { name, endpoint, pid: child.pid, stop }
}

/** Resolves with undefined once probe succeeds; resolves with an Error on timeout; stops quietly when aborted. */
async function waitUntilReady(
  name: string,
  probe: () => Promise<void>,
  signal: AbortSignal,
): Promise<Error | undefined> {
  const deadline = Date.now() + READY_TIMEOUT_MS
  let lastError: unknown
  while (!signal.aborted) {
    try {
      await probe()
      return undefined
    } catch (error) {
      lastError = error
    }
    if (Date.now() > deadline) {
      return new Error(`${name} emulator not ready after ${READY_TIMEOUT_MS} ms: ${String(lastError)}`)
    }
    await new Promise((resolveDelay) => setTimeout(resolveDelay, POLL_INTERVAL_MS))
  }
  return undefined
}

/** SIGTERM by pid, SIGKILL after a grace period; resolves once the process has exited (its port is then closed). */
async function killChild(child: ChildProcess): Promise<void> {
  // exitCode/signalCode are set synchronously before 'exit' is emitted, so no exit can slip between check and wait
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS)
  try {
    await exited
  } finally {
    clearTimeout(timer)
  }
}
