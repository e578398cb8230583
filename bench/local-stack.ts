// The local stack for the benchmarks that need one: started in this process on a fresh data folder, a
// signed-in JSON client, and a child process run without blocking the server it may talk to.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { debugUser, startStack } from '../infra/local/stack.js'

/** Runs work against a local stack in this process on a fresh data folder, without request limits. */
export async function onLocalStack(
  options: Pick<Parameters<typeof startStack>[0], 'worker' | 'workerConcurrency'>,
  work: (stack: Awaited<ReturnType<typeof startStack>>) => Promise<void>,
) {
  process.env.RATE_LIMIT_PER_MINUTE = '1000000'
  const dataDir = mkdtempSync(join(tmpdir(), 'vega-bench-'))
  const stack = await startStack({ dataDir, port: 0, throttle: false, ...options })
  try {
    await work(stack)
  } finally {
    await stack.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/** The JSON client, signed in as the debug user. */
export async function signedIn(base: string) {
  const send = jsonClient(base)
  const { email, password } = debugUser
  const { access_token: token } = await send('POST', '/v1/auth/login', undefined, { email, password })
  return { send, token: token! }
}

/** A small JSON client for the benchmarks' HTTP calls, with an optional bearer token. */
function jsonClient(base: string) {
  return async (method: string, path: string, token?: string, body?: unknown) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (token) headers.authorization = `Bearer ${token}`
    const response = await fetch(`${base}${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined })
    return (await response.json()) as Record<string, string>
  }
}

/** Asynchronous: the server a pushing git talks to may run in this very process. */
export function run(
  command: string,
  args: string[],
  cwd: string,
): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  const child = spawn(command, args, { cwd })
  const out: Buffer[] = []
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk
  })
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr })))
}
