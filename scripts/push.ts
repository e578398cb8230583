// `vega push`: sends a repository's HEAD to Vega the way that fits, waits for its scan and prints the
// result. A pack within the upload's push limit goes by `git push` (with a post buffer large enough that
// git sends one sized request); a larger one as a `git bundle` to the presigned URL, then `complete`.
// Over the limit, `git push` itself cannot be helped: the gateway answers 413 before Vega sees the pack.
//   npm run push -- [dir] --repository rep_… [--api http://localhost:8000] [--branch main]
//                         [--fail-on critical|high|medium|low|info|none] [--timeout-s 600]
// The credential comes from VEGA_API_KEY (or VEGA_TOKEN, an access token). Exit code 1 when the scan fails
// or holds findings at or above --fail-on (default high), 2 on bad usage.
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { severities } from '../shared/scanning/engine.js'
import { commandLine, failOnValue } from './command-line.js'

export interface PushOptions {
  dir: string
  /** The API's origin, without `/v1`. */
  api: string
  credential: string
  repositoryId: string
  /** The branch the pushed HEAD becomes; by default the checked-out branch, else `main`. */
  branch?: string
  timeoutMs?: number
  /** Progress lines (stderr in the CLI). */
  say?: (line: string) => void
}

export interface PushOutcome {
  route: 'push' | 'bundle'
  packBytes: number
  uploadId: string
  scan: { id: string; status: string; [field: string]: unknown }
}

interface Upload {
  id: string
  remote_url: string
  bundle_upload_url: string
  complete_url: string
  push_max_bytes: number
}

async function call(options: PushOptions, method: string, path: string, body?: unknown) {
  const response = await fetch(new URL(path, options.api), {
    method,
    headers: { authorization: `Bearer ${options.credential}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  const json = text ? JSON.parse(text) : undefined
  if (!response.ok) {
    const error = json?.error
    throw new Error(`${method} ${path}: ${response.status} ${error?.code ?? ''} ${error?.message ?? text}`.trim())
  }
  return json
}

/** git, without blocking the event loop (the API may answer in this very process, as in the tests). */
function git(dir: string, ...args: string[]): Promise<string> {
  return new Promise((resolveRun, reject) => {
    execFile('git', args, { cwd: dir, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`git ${args.filter((arg) => !arg.includes('://')).join(' ')}: ${stderr.trim()}`))
      else resolveRun(stdout.trim())
    })
  })
}

/** The size of the pack `git push` would send for HEAD to an empty remote, counted as git writes it. */
function packBytesOfHead(dir: string): Promise<number> {
  return new Promise((resolvePack, reject) => {
    const child = spawn('git', ['pack-objects', '--revs', '--stdout', '-q'], { cwd: dir })
    let bytes = 0
    child.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.length
    })
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0 ? resolvePack(bytes) : reject(new Error(`git pack-objects exited ${code}`)),
    )
    child.stdin.end('HEAD\n')
  })
}

export async function push(options: PushOptions): Promise<PushOutcome> {
  const say = options.say ?? (() => {})
  const current = await git(options.dir, 'symbolic-ref', '--short', '-q', 'HEAD').catch(() => '')
  const branch = options.branch ?? (current || 'main')
  const packBytes = await packBytesOfHead(options.dir)
  const upload: Upload = await call(options, 'POST', '/v1/git-uploads', { repository_id: options.repositoryId })
  const route = packBytes <= upload.push_max_bytes ? 'push' : 'bundle'
  say(
    `vega: HEAD is a ${packBytes}-byte pack; the push limit is ${upload.push_max_bytes} bytes, so it goes as a ${route === 'push' ? 'git push' : 'git bundle'}`,
  )
  let scanId: string
  if (route === 'push') {
    // A post buffer over the limit makes git send one request with a Content-Length, never a probe and chunks.
    const postBuffer = String(upload.push_max_bytes + 1024 * 1024)
    // The remote URL carries the one-time token: an error names the command without it.
    await git(
      options.dir,
      '-c',
      `http.postBuffer=${postBuffer}`,
      'push',
      upload.remote_url,
      `HEAD:refs/heads/${branch}`,
    )
    scanId = (await call(options, 'GET', `/v1/git-uploads/${upload.id}`)).scan_id
  } else {
    const work = mkdtempSync(join(tmpdir(), 'vega-push-'))
    try {
      const bundle = join(work, 'repo.bundle')
      await git(options.dir, 'bundle', 'create', bundle, 'HEAD', ...(current ? [current] : []))
      say(`vega: uploading a ${statSync(bundle).size}-byte bundle`)
      const put = await fetch(upload.bundle_upload_url, { method: 'PUT', body: readFileSync(bundle) })
      if (!put.ok) throw new Error(`the bundle upload answered ${put.status}`)
    } finally {
      rmSync(work, { recursive: true, force: true })
    }
    scanId = (await call(options, 'POST', new URL(upload.complete_url).pathname)).scan_id
  }
  say(`vega: scan ${scanId} queued; waiting for it`)
  const deadline = Date.now() + (options.timeoutMs ?? 600_000)
  for (;;) {
    const scan = await call(options, 'GET', `/v1/repositories/${options.repositoryId}/scans/${scanId}`)
    if (!['queued', 'running'].includes(scan.status)) return { route, packBytes, uploadId: upload.id, scan }
    if (Date.now() > deadline) throw new Error(`scan ${scanId} is still ${scan.status}`)
    await new Promise((wake) => setTimeout(wake, 1000))
  }
}

async function main() {
  const { values, positionals, fail } = commandLine(
    'usage: npm run push -- [dir] --repository rep_… [--api URL] [--branch name] [--fail-on <severity>|none] [--timeout-s N]',
    {
      repository: { type: 'string' },
      api: { type: 'string', default: process.env.VEGA_API_URL ?? 'http://localhost:8000' },
      branch: { type: 'string' },
      'fail-on': { type: 'string', default: 'high' },
      'timeout-s': { type: 'string', default: '600' },
    },
  )
  const credential = process.env.VEGA_API_KEY ?? process.env.VEGA_TOKEN ?? fail('set VEGA_API_KEY (or VEGA_TOKEN)')
  const repositoryId = values.repository ?? fail('name the repository: --repository rep_…')
  const failOn = failOnValue(values['fail-on'], fail)
  const dir = resolve(positionals[0] ?? '.')
  const outcome = await push({
    dir,
    api: values.api,
    credential,
    repositoryId,
    branch: values.branch,
    timeoutMs: Number(values['timeout-s']) * 1000,
    say: (line) => console.error(line),
  })
  const { scan } = outcome
  console.log(JSON.stringify({ route: outcome.route, upload_id: outcome.uploadId, scan }, null, 2))
  if (scan.status !== 'succeeded') process.exit(1)
  if (failOn === 'none') return
  // Open findings of the repository at or above --fail-on, one severity at a time (the filter takes one).
  for (const severity of severities.slice(0, severities.indexOf(failOn) + 1)) {
    const path = `/v1/repositories/${repositoryId}/findings?status=open&severity=${severity}&limit=1`
    const page = await call({ dir, api: values.api, credential, repositoryId }, 'GET', path)
    if (page.items.length) {
      console.error(`vega: open ${severity} findings: failing (--fail-on ${failOn})`)
      process.exit(1)
    }
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main().catch((error: Error) => {
    console.error(`vega: ${error.message}`)
    process.exit(1)
  })
}
