// The real git client for end-to-end tests, run asynchronously: the server it pushes to runs in the same
// process, and a synchronous spawn would wait on it forever. No system or user configuration is read.
import { type SpawnOptions, spawn } from 'node:child_process'

export type Run = { code: number | null; out: string; err: string }

/**
 * Runs a command without blocking the event loop; its exit code and what it printed. `input` goes to stdin;
 * `onStderr` hears what it printed there so far, each time more arrives.
 */
export function run(
  command: string,
  args: string[],
  options: SpawnOptions & { input?: string; onStderr?: (sofar: string) => void } = {},
): Promise<Run> {
  const { input, onStderr, ...spawnOptions } = options
  const child = spawn(command, args, spawnOptions)
  // A command that exits without reading its input closes the pipe first: EPIPE, not a failure of the run.
  child.stdin?.on('error', () => undefined)
  child.stdin?.end(input ?? '')
  let out = ''
  let err = ''
  child.stdout?.on('data', (chunk) => {
    out += chunk
  })
  child.stderr?.on('data', (chunk) => {
    err += chunk
    onStderr?.(err)
  })
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })))
}

export function gitClient(home: string, onStderr?: (sofar: string) => void) {
  return (cwd: string, ...args: string[]): Promise<Run> =>
    run(
      'git',
      ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', ...args],
      { cwd, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', HOME: home }, onStderr },
    )
}

/** A random token of a real secret's alphabet, made at run time so the repository holds none. */
export function randomAlphanumeric(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  return Array.from(crypto.getRandomValues(new Uint8Array(length)), (byte) => alphabet[byte % 62]).join('')
}
