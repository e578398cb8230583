// `vega push`: sends a repository's HEAD to Vega the way that fits, and the scan it queued. A pack within the
// upload's push limit goes by `git push` (with a post buffer large enough that git sends one sized request,
// and the `-o vega.*` options, so the push itself can carry the verdict); a larger one as a `git bundle` to
// the presigned URL, then `complete`. Over the limit, `git push` itself cannot be helped: the gateway
// answers 413 before Vega sees the pack.
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Api, dataOf } from './client.js'

export interface PushOptions {
  dir: string
  api: Api
  repositoryId: string
  /** The branch the pushed HEAD becomes; by default the checked-out branch, else `main`. */
  branch?: string
  /** `vega.*` push options (`wait=60`, `fail-on=high`, …), for the git route. */
  pushOptions?: string[]
  /** Progress lines (stderr in the CLI). */
  say?: (line: string) => void
}

export interface PushOutcome {
  route: 'push' | 'bundle'
  packBytes: number
  uploadId: string
  scanId: string
  /** git's exit code on the push route (non-zero when Vega rejected the ref); 0 for a bundle. */
  gitCode: number
  /** Whether git's output carried the scan's verdict (`-o vega.wait` and the scan ended within the wait). */
  verdictInPush: boolean
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

/** `git push`, its output passed on line by line without the one-time token; resolves with the exit code. */
function gitPush(dir: string, args: string[], say: (line: string) => void): Promise<{ code: number; output: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn('git', args, { cwd: dir })
    let output = ''
    const pass = (chunk: Buffer) => {
      const text = chunk.toString().replace(/\/\/[^@/\s]*@/g, '//')
      output += text
      for (const line of text.split('\n')) if (line.trim()) say(line.trimEnd())
    }
    child.stdout.on('data', pass)
    child.stderr.on('data', pass)
    child.on('error', reject)
    child.on('close', (code) => resolveRun({ code: code ?? 1, output }))
  })
}

/**
 * The size of the pack `git push` would send for HEAD, counted as git writes it: thin, without what the
 * remote says it holds (`haves`), as git itself leaves those out.
 */
function packBytesOfHead(dir: string, haves: string[]): Promise<number> {
  return new Promise((resolvePack, reject) => {
    const args = ['pack-objects', '--revs', '--stdout', '-q', ...(haves.length ? ['--thin'] : [])]
    const child = spawn('git', args, { cwd: dir })
    let bytes = 0
    child.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.length
    })
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0 ? resolvePack(bytes) : reject(new Error(`git pack-objects exited ${code}`)),
    )
    child.stdin.end(`${['HEAD', ...haves.map((oid) => `^${oid}`)].join('\n')}\n`)
  })
}

/**
 * The commits the remote offers as held (its advertisement's `.have` lines, once the repository was pushed
 * before) that this clone has too: a push then sends only what is new.
 */
async function offeredHaves(remoteUrl: string, dir: string): Promise<string[]> {
  const url = new URL(remoteUrl)
  const authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`
  const answer = await fetch(`${url.origin}${url.pathname}/info/refs?service=git-receive-pack`, {
    headers: { authorization },
  })
  if (!answer.ok) return []
  const offered = [...(await answer.text()).matchAll(/([0-9a-f]{40}) \.have/g)].map((match) => match[1]!)
  const held: string[] = []
  for (const oid of offered)
    if (
      await git(dir, 'cat-file', '-e', `${oid}^{commit}`).then(
        () => true,
        () => false,
      )
    )
      held.push(oid)
  return held
}

export async function push(options: PushOptions): Promise<PushOutcome> {
  const say = options.say ?? (() => {})
  const current = await git(options.dir, 'symbolic-ref', '--short', '-q', 'HEAD').catch(() => '')
  const branch = options.branch ?? (current || 'main')
  const upload = dataOf(
    await options.api.POST('/v1/git-uploads', { body: { repository_id: options.repositoryId } as never }),
  )
  const packBytes = await packBytesOfHead(options.dir, await offeredHaves(upload.remote_url!, options.dir))
  const route = packBytes <= upload.push_max_bytes ? 'push' : 'bundle'
  say(
    `vega: HEAD is a ${packBytes}-byte pack; the push limit is ${upload.push_max_bytes} bytes, so it goes as a ${route === 'push' ? 'git push' : 'git bundle'}`,
  )
  if (route === 'push') {
    // A post buffer over the limit makes git send one request with a Content-Length, never a probe and chunks.
    const postBuffer = String(upload.push_max_bytes + 1024 * 1024)
    const flags = (options.pushOptions ?? []).flatMap((option) => ['-o', option])
    const { code, output } = await gitPush(
      options.dir,
      ['-c', `http.postBuffer=${postBuffer}`, 'push', ...flags, upload.remote_url!, `HEAD:refs/heads/${branch}`],
      say,
    )
    const scanId = /Scan (scan_\w+) queued/.exec(output)?.[1]
    if (!scanId) throw new Error(`git push exited ${code} before Vega queued a scan`)
    const verdictInPush = /Vega: scan scan_\w+ (succeeded|failed|cancelled)/.test(output)
    return { route, packBytes, uploadId: upload.id, scanId, gitCode: code, verdictInPush }
  }
  const work = mkdtempSync(join(tmpdir(), 'vega-push-'))
  try {
    const bundle = join(work, 'repo.bundle')
    await git(options.dir, 'bundle', 'create', bundle, 'HEAD', ...(current ? [current] : []))
    say(`vega: uploading a ${statSync(bundle).size}-byte bundle`)
    const put = await fetch(upload.bundle_upload_url!, { method: 'PUT', body: readFileSync(bundle) })
    if (!put.ok) throw new Error(`the bundle upload answered ${put.status}`)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  const completed = dataOf(
    await options.api.POST('/v1/git-uploads/{id}/complete', { params: { path: { id: upload.id } } }),
  )
  return { route, packBytes, uploadId: upload.id, scanId: completed.scan_id!, gitCode: 0, verdictInPush: false }
}
