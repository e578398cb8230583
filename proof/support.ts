// What the proofs share: a local stack (in this process, or as `npm start` in a child process that can be
// killed), an API client signed in as the debug user, and real repositories pushed with the real git.
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { closeSync, cpSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda'
import { lambdaThread } from '../infra/local/lambda-thread.js'
import { debugUser, type RunningStack, startStack } from '../infra/local/stack.js'

const run = promisify(execFile)
export const projectRoot = new URL('..', import.meta.url).pathname

export const say = (line: string) => process.stderr.write(`proof: ${line}\n`)
export const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms))

/** Limits a proof needs above the defaults (a burst of 16 pushes, a thousand requests a minute). */
export const proofEnvironment = { CONCURRENT_SCANS: '64', SCANS_PER_DAY: '5000', RATE_LIMIT_PER_MINUTE: '100000' }

export interface InProcessStack {
  stack: RunningStack
  /** Stops the scan worker's thread at once, mid-scan, as a crashed Lambda container stops. */
  killWorker(): Promise<void>
  stop(): Promise<void>
}

/** The stack as `npm start` runs it, in this process: the worker in a thread of its own, the sweep every minute. */
export async function startInProcess(options: { throttle?: false } = {}): Promise<InProcessStack> {
  Object.assign(process.env, proofEnvironment)
  const worker = lambdaThread<SQSEvent, SQSBatchResponse | undefined>(
    new URL('../functions/scan-worker/handler.ts', import.meta.url),
    'vega-proof-scan-worker',
  )
  const stack = await startStack({
    dataDir: mkdtempSync(join(tmpdir(), 'vega-proof-')),
    port: 0,
    worker: worker.handler,
    cleanup: (await import('../functions/cleanup/handler.js')).handler,
    ...(options.throttle === false ? { throttle: false } : {}),
  })
  return {
    stack,
    killWorker: () => worker.kill(),
    async stop() {
      await stack.stop()
      await worker.close()
    },
  }
}

/** A free TCP port: the child stack keeps its ports across a restart, as a machine keeps its address. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

export interface ChildStack {
  url: string
  /** SIGKILL to the whole process group: the API, the worker thread, the emulators. */
  kill(): void
  stop(): Promise<void>
}

/**
 * `npm start` in a child process group, on fixed ports and a data folder that outlive it. Its output goes
 * to a file, not a pipe: Node writes to pipes synchronously on Linux, so a busy reader (the load part)
 * would stall the stack's every access-log line.
 */
export async function startChild(dataDir: string, port: number): Promise<ChildStack> {
  mkdirSync(dataDir, { recursive: true })
  const logFile = join(dataDir, `stack-${Date.now()}.log`)
  const out = openSync(logFile, 'a')
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts'], {
    cwd: projectRoot,
    env: { ...process.env, ...proofEnvironment, PORT: String(port), VEGA_DATA_DIR: dataDir },
    detached: true,
    stdio: ['ignore', out, out],
  })
  closeSync(out)
  const output = () => readFileSync(logFile, 'utf8')
  const deadline = Date.now() + 120_000
  while (!/vega: ready in/.test(output())) {
    if (child.exitCode !== null) throw new Error(`the stack exited: ${output().slice(-2000)}`)
    if (Date.now() > deadline) throw new Error(`the stack did not start: ${output().slice(-2000)}`)
    await sleep(100)
  }
  const kill = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {
      // already gone
    }
  }
  return {
    url: `http://127.0.0.1:${port}`,
    kill,
    async stop() {
      process.kill(-child.pid!, 'SIGTERM')
      const gone = Date.now() + 20_000
      while (child.exitCode === null && child.signalCode === null && Date.now() < gone) await sleep(100)
      kill()
    },
  }
}

export interface Api {
  url: string
  /** The debug user's access token, for requests made by hand. */
  token: string
  call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any; headers: Headers }>
}

/** Signs in as the stack's debug user (an owner) and calls the API with the access token. */
export async function signIn(url: string): Promise<Api> {
  const login = await fetch(`${url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: debugUser.email, password: debugUser.password }),
  })
  if (login.status !== 200) throw new Error(`login answered ${login.status}`)
  const { access_token: token } = (await login.json()) as { access_token: string }
  return {
    url,
    token,
    async call(method, path, body) {
      const answer = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await answer.text()
      return { status: answer.status, json: text ? JSON.parse(text) : undefined, headers: answer.headers }
    },
  }
}

export async function newRepository(api: Api, name: string): Promise<string> {
  const project = await api.call('POST', '/v1/projects', { name: `${name}-${Date.now()}` })
  const repository = await api.call('POST', '/v1/repositories', { project_id: project.json.id, name })
  if (repository.status !== 201) throw new Error(`repository: ${repository.status} ${JSON.stringify(repository.json)}`)
  return repository.json.id
}

/** A real repository: this project's tracked files at HEAD, in a fresh repository with one commit. */
export async function realRepository(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'vega-proof-repo-'))
  const { stdout } = await run('git', ['ls-files', '-z'], { cwd: projectRoot, maxBuffer: 64 * 1024 * 1024 })
  for (const path of stdout.split('\0').filter(Boolean)) {
    mkdirSync(join(dir, path, '..'), { recursive: true })
    cpSync(join(projectRoot, path), join(dir, path))
  }
  await commitAll(dir)
  return dir
}

/** A repository of `count` small files, for a scan long enough to measure the API beside it. */
export async function manyFiles(count: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'vega-proof-many-'))
  for (let folder = 0; folder * 1000 < count; folder++) {
    mkdirSync(join(dir, `d${folder}`))
    for (let file = folder * 1000; file < Math.min(count, (folder + 1) * 1000); file++)
      writeFileSync(join(dir, `d${folder}`, `f${file}.js`), `export const value${file} = ${file} // ${file * 7919}\n`)
  }
  await commitAll(dir)
  return dir
}

async function commitAll(dir: string) {
  const git = (...args: string[]) =>
    run('git', ['-c', 'user.email=proof@example.com', '-c', 'user.name=proof', ...args], {
      cwd: dir,
      maxBuffer: 64 * 1024 * 1024,
    })
  await git('init', '-q', '-b', 'main')
  await git('add', '-A')
  await git('commit', '-q', '-m', 'proof')
}

/** Pushes HEAD with the real git to a new upload of the repository; the scan id when git reports success. */
export async function gitPush(api: Api, repositoryId: string, dir: string): Promise<string | undefined> {
  const upload = await api.call('POST', '/v1/git-uploads', { repository_id: repositoryId })
  if (upload.status !== 201) return undefined
  try {
    await run(
      'git',
      ['-c', 'http.postBuffer=524288000', 'push', '-q', upload.json.remote_url, 'HEAD:refs/heads/main'],
      {
        cwd: dir,
        maxBuffer: 16 * 1024 * 1024,
      },
    )
  } catch {
    return undefined
  }
  const after = await api.call('GET', `/v1/git-uploads/${upload.json.id}`)
  return after.json.scan_id ?? undefined
}

export async function scanOf(api: Api, repositoryId: string, scanId: string) {
  return (await api.call('GET', `/v1/repositories/${repositoryId}/scans/${scanId}`)).json as {
    id: string
    status: string
    finished_at: string | null
  }
}

/** Every item of a paged list, following `next_cursor`. */
export async function allItems(api: Api, path: string): Promise<any[]> {
  const items: any[] = []
  const join = path.includes('?') ? '&' : '?'
  for (let cursor: string | null = null; ; ) {
    const page = await api.call(
      'GET',
      `${path}${join}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    )
    if (page.status !== 200) throw new Error(`${path}: ${page.status} ${JSON.stringify(page.json)}`)
    items.push(...page.json.items)
    cursor = page.json.next_cursor
    if (!cursor) return items
  }
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}
