// npm run bench -- large: a repository of about 1 GB with history (four copies of the real code in
// node_modules, each a little different, over 300 commits: ~850 MB of files at head) sent as a bundle to
// the local stack and scanned by the worker in this process. Prints the bundle, the tree, upload → findings,
// each phase, and the process's peak memory (the worker's, plus the small API server beside it).
// BENCH_COPIES=N changes the number of copies (1: the ~100 MB benchmark repository). The worker runs as
// `npm start` runs it, one thread per core, so a sharded scan's shards run side by side; BENCH_WORKERS=1
// runs it on this process's own thread instead (one container: its memory alone). BENCH_RUNS=N pushes it N
// times, each to a new repository (a full scan each), the later ones on a warm worker.
import { execFileSync } from 'node:child_process'
import { createReadStream, rmSync, statSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Readable } from 'node:stream'
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda'
import { lambdaThreads } from '../infra/local/lambda-thread.js'
import { buildRepo, hundredMegabytes } from './git-unpack.js'
import { onLocalStack, signedIn } from './local-stack.js'

const mb = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MB`
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

export async function large() {
  const copies = Number(process.env.BENCH_COPIES ?? 4)
  const runs = Number(process.env.BENCH_RUNS ?? 1)
  console.log(`\n## 10. a large repository: ${copies} copies of node_modules' code over 300 commits, as one bundle`)
  let at = performance.now()
  // Built by a child process, so the builder's own memory is not counted as the scan's.
  const repo = execFileSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--build', String(copies)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .toString()
    .trim()
  const bundle = join(tmpdir(), `vega-bench-large-${process.pid}.bundle`)
  execFileSync('git', ['bundle', 'create', '-q', bundle, '--all'], { cwd: repo })
  const tree = execFileSync('git', ['ls-tree', '-r', '-l', 'HEAD'], { cwd: repo, maxBuffer: 2 ** 30 }).toString()
  const headBytes = tree.split('\n').reduce((sum, line) => sum + (Number(line.split(/\s+/)[3]) || 0), 0)
  const files = tree.split('\n').filter(Boolean).length
  const commits = execFileSync('git', ['rev-list', '--count', 'HEAD'], { cwd: repo }).toString().trim()
  const bundleBytes = statSync(bundle).size
  console.log(
    `built in ${seconds(performance.now() - at)}: ${files} files (${mb(headBytes)}) at head, ${commits} commits, ` +
      `bundle ${mb(bundleBytes)}`,
  )
  // The budget of one scan is raised for this run only: the point here is memory, and time per phase.
  process.env.SCAN_TIME_BUDGET_S = process.env.SCAN_TIME_BUDGET_S ?? '900'
  const workers = Number(process.env.BENCH_WORKERS ?? availableParallelism())
  const threads =
    workers > 1
      ? lambdaThreads<SQSEvent, SQSBatchResponse | undefined>(
          new URL('../functions/scan-worker/handler.ts', import.meta.url),
          'bench-scan-worker',
          workers,
        )
      : undefined
  const worker = threads?.handler ?? (await import('../functions/scan-worker/handler.js')).handler
  try {
    await onLocalStack({ worker, workerConcurrency: workers }, async (stack) => {
      const { send, token } = await signedIn(stack.url)
      const { id: projectId } = await send('POST', '/v1/projects', token, { name: 'large' })
      // Each run pushes to a repository of its own, so each is a full scan; after the first the worker is warm.
      for (let run = 1; run <= runs; run++) {
        if (runs > 1) console.log(`run ${run} of ${runs}${run > 1 ? ' (the worker warm, another repository)' : ''}:`)
        const { id: repositoryId } = await send('POST', '/v1/repositories', token, {
          project_id: projectId,
          name: `l${run}`,
        })
        const upload = await send('POST', '/v1/git-uploads', token, { repository_id: repositoryId })
        const before = process.memoryUsage().rss
        let peak = before
        const sampler = setInterval(() => {
          peak = Math.max(peak, process.memoryUsage().rss)
        }, 100)
        at = performance.now()
        const cpuBefore = process.cpuUsage()
        // Streamed from the file, as a CI job's `curl -T` sends it: the bench holds no copy of the bundle.
        const body = Readable.toWeb(createReadStream(bundle)) as ReadableStream
        const put = await fetch(upload.bundle_upload_url!, {
          method: 'PUT',
          body,
          headers: { 'content-length': String(bundleBytes) },
          duplex: 'half',
        } as RequestInit)
        if (!put.ok) throw new Error(`bundle PUT answered ${put.status}`)
        const scanId = (await send('POST', `/v1/git-uploads/${upload.id}/complete`, token)).scan_id!
        let scan: {
          status: string
          stats?: { files: number; bytes: number; duration_ms: number; shards?: number }
          error?: unknown
        }
        let said = performance.now()
        for (;;) {
          scan = (await send('GET', `/v1/scans/${scanId}`, token)) as unknown as typeof scan
          if (scan.status === 'succeeded' || scan.status === 'failed') break
          if (performance.now() - said > 15_000) {
            said = performance.now()
            console.error(`… ${scan.status} after ${seconds(said - at)}, rss ${mb(process.memoryUsage().rss)}`)
          }
          await new Promise((resolve) => setTimeout(resolve, 500))
        }
        clearInterval(sampler)
        if (scan.status !== 'succeeded') throw new Error(`scan ${scanId} ${scan.status}: ${JSON.stringify(scan.error)}`)
        const stats = scan.stats!
        const elapsed = performance.now() - at
        const cpu = process.cpuUsage(cpuBefore)
        const cpuMs = (cpu.user + cpu.system) / 1000
        console.log(
          `upload → findings ${seconds(elapsed)}; worker ${seconds(stats.duration_ms)} for ` +
            `${stats.files} files, ${mb(stats.bytes)}, in ${stats.shards ?? 1} shard(s) on ${workers} worker(s)`,
        )
        // Against the cores, this says how far the wait is from the CPU the work takes (DynamoDB Local is
        // another process and not counted).
        console.log(
          `CPU of this process meanwhile ${seconds(cpuMs)}: ${(cpuMs / elapsed).toFixed(2)} of ` +
            `${availableParallelism()} cores busy on average`,
        )
        console.log(
          // The process's own maximum covers every run so far: only the first run may take it.
          `peak RSS of the process ${mb(run === 1 ? Math.max(peak, process.resourceUsage().maxRSS * 1024) : peak)} ` +
            `(${mb(before)} before the upload: the API server, the SQS emulator, this bench)`,
        )
      }
    })
  } finally {
    await threads?.close()
    rmSync(bundle, { force: true })
    // Removed after the scans: freeing its 27k+ inodes just before them would slow the checkout's file
    // creation on a disk like this one's (docs/decisions.md, A full scan's time).
    rmSync(repo, { recursive: true, force: true })
  }
}

if (import.meta.main && process.argv[2] === '--build') {
  const repo = await buildRepo(resolve('node_modules'), { ...hundredMegabytes, copies: Number(process.argv[3]) })
  console.log(repo)
}
