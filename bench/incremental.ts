// npm run bench -- incremental: a ~100 MB repository with history (real code from node_modules over 300
// commits) sent as a bundle to the local stack, then one file changed and pushed again with `git push`
// (the remote offers what Vega holds, so git sends a thin pack of the change), pushed again once what that
// scan keeps for the next push is kept, and a third time as soon as the second's findings are in; then the
// same tree sent whole to a new repository. Prints send → findings and worker time of each, what the
// re-push reused, how long after its findings each re-push's objects were offered to the next push, and
// whether the re-pushes and the whole scan found the same findings. BENCH_SMALL=1: a ~13 MB repository;
// BENCH_COLD=1: the first re-push on a worker that holds nothing of the first scan.
import { execFileSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda'
import { lambdaThread } from '../infra/local/lambda-thread.js'
import { buildRepo, hundredMegabytes } from './git-unpack.js'
import { onLocalStack, run, signedIn } from './local-stack.js'

const fmt = (n: number, digits = 1) => n.toFixed(digits)

interface Scan {
  id: string
  status: string
  stats: { files: number; duration_ms: number; reuse?: Record<string, Record<string, number>> }
}

export async function incremental() {
  const small = !!process.env.BENCH_SMALL
  console.log(`\n## 9. incremental scans: a ~${small ? 13 : 100} MB repository pushed again with one file changed`)
  const options = small ? { files: 3000, commits: 200, edits: 10, chunk: 2000 } : hundredMegabytes
  const started = performance.now()
  const repo = await buildRepo(small ? resolve('node_modules', 'aws-cdk-lib') : resolve('.'), options)
  execFileSync('git', ['checkout', '-q', '-f', 'main'], { cwd: repo })
  console.log(`built the repository in ${fmt((performance.now() - started) / 1000)} s`)
  // One worker, every scan whole (no shards): the re-push is compared with the full scan one invocation
  // makes (`npm run bench -- large` times shards side by side). The worker runs in a thread of its own, as
  // under `npm start` and as Lambda runs it apart from the API: on the API's thread, what the worker
  // computes after a scan succeeded (keeping the pack for the next push) held back the answer that tells
  // the bench the scan is over.
  process.env.SCAN_SHARD_BYTES ??= String(2 ** 40)
  const worker = lambdaThread<SQSEvent, SQSBatchResponse | undefined>(
    new URL('../functions/scan-worker/handler.ts', import.meta.url),
    'bench-scan-worker',
  )
  let invocations = 0
  const handler: typeof worker.handler = async (event, context) => {
    invocations++
    try {
      return await worker.handler(event, context)
    } finally {
      invocations--
    }
  }
  try {
    await onLocalStack({ worker: handler }, async (stack) => {
      const { send, token } = await signedIn(stack.url)
      const { id: projectId } = await send('POST', '/v1/projects', token, { name: 'incremental' })
      const repository = async (name: string) =>
        (await send('POST', '/v1/repositories', token, { project_id: projectId, name })).id!

      /** When the repository's remote first offers this commit as `.have`: its scan's pack is kept. */
      const offered = async (repositoryId: string, oid: string) => {
        const upload = await send('POST', '/v1/git-uploads', token, { repository_id: repositoryId })
        const url = new URL(upload.remote_url!)
        const refs = `${url.origin}${url.pathname}/info/refs?service=git-receive-pack`
        const authorization = `Basic ${Buffer.from(`${url.username}:${url.password}`).toString('base64')}`
        for (let tries = 0; tries < 1200; tries++) {
          const text = await (await fetch(refs, { headers: { authorization } })).text()
          if (text.includes(`${oid} .have`)) return performance.now()
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
        throw new Error(`${oid} never offered`)
      }

      /**
       * Sends the repository, and waits for the scan: as a bundle by presigned PUT (over the push limit),
       * or by `git push` (which sends a thin pack of what Vega does not hold yet), once the remote offers
       * `after` (default: anything), or at once.
       */
      const pushAndScan = async (repositoryId: string, how: 'bundle' | 'git push', after?: string | 'now') => {
        let at = performance.now()
        const upload = await send('POST', '/v1/git-uploads', token, { repository_id: repositoryId })
        let scanId: string
        let bytes: number
        let bundling = 0
        if (how === 'bundle') {
          const bundle = execFileSync('git', ['bundle', 'create', '-', '--all'], { cwd: repo, maxBuffer: 2 ** 31 })
          bundling = performance.now() - at
          bytes = bundle.length
          at = performance.now()
          await fetch(upload.bundle_upload_url!, { method: 'PUT', body: bundle })
          scanId = (await send('POST', `/v1/git-uploads/${upload.id}/complete`, token)).scan_id!
        } else {
          // The earlier scan keeps its pack for the next push a moment after it succeeds: wait for the
          // remote to offer it (`.have`) and for the worker to be done with that scan
          // (removing its checkout, among others), as a CI job pushing minutes later never has to. The
          // third push goes at once.
          const url = new URL(upload.remote_url!)
          const refs = `${url.origin}${url.pathname}/info/refs?service=git-receive-pack`
          const authorization = `Basic ${Buffer.from(`${url.username}:${url.password}`).toString('base64')}`
          for (let tries = 0; tries < 100 && after !== 'now'; tries++) {
            const offered = await (await fetch(refs, { headers: { authorization } })).text()
            if (offered.includes(after ? `${after} .have` : ' .have')) break
            await new Promise((resolve) => setTimeout(resolve, 100))
          }
          if (after !== 'now') while (invocations > 0) await new Promise((resolve) => setTimeout(resolve, 50))
          // BENCH_COLD=1: scanned by a new worker thread, as by a cold container (the kept pack, walk and
          // trees from the bucket).
          if (process.env.BENCH_COLD && after === undefined) await worker.close()
          at = performance.now()
          const push = await run('git', ['push', upload.remote_url!, 'main'], repo)
          if (push.code !== 0) throw new Error(push.stderr)
          scanId = /Scan (scan_\w+) queued/.exec(push.stderr)![1]!
          bytes = Number(/\((\d+) bytes\)/.exec(push.stderr)?.[1] ?? 0)
        }
        let scan: Scan
        for (;;) {
          scan = (await send('GET', `/v1/scans/${scanId}`, token)) as unknown as Scan
          if (scan.status === 'succeeded' || scan.status === 'failed') break
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
        if (scan.status !== 'succeeded') throw new Error(`scan ${scanId} ${scan.status}`)
        return { scan, bytes, how, bundling, toFindings: performance.now() - at, at: performance.now() }
      }

      /** Every open finding of the repository, as a user compares them. */
      const findingsOf = async (repositoryId: string) => {
        const found: string[] = []
        let cursor: string | null = null
        do {
          const page = (await send(
            'GET',
            `/v1/repositories/${repositoryId}/findings?status=open&limit=100${cursor ? `&cursor=${cursor}` : ''}`,
            token,
          )) as unknown as { items: Record<string, unknown>[]; next_cursor: string | null }
          for (const f of page.items)
            found.push(JSON.stringify([f.rule_id, f.severity, f.path, f.fingerprint, f.message, f.locations]))
          cursor = page.next_cursor
        } while (cursor)
        return found.sort()
      }

      const line = (label: string, run: Awaited<ReturnType<typeof pushAndScan>>) =>
        console.log(
          `${label}: ${run.how}, ${run.bytes < 1e6 ? `${run.bytes} bytes` : `${fmt(run.bytes / 1e6)} MB`} sent${run.bundling ? ` (bundle made in ${fmt(run.bundling / 1000, 2)} s)` : ''}; ${run.how === 'bundle' ? 'upload' : 'push'} → findings ` +
            `${fmt(run.toFindings / 1000, 2)} s; worker ${fmt(run.scan.stats.duration_ms / 1000, 2)} s for ` +
            `${run.scan.stats.files} files; reuse ${JSON.stringify(run.scan.stats.reuse)}`,
        )

      const twice = await repository('pushed-twice')
      const first = await pushAndScan(twice, 'bundle')
      line('first push (full scan)', first)

      /** One file changed and committed; the new head. */
      const commit = (file: string, text: string) => {
        writeFileSync(join(repo, 'src', file), text)
        execFileSync('git', ['add', '-A'], { cwd: repo })
        execFileSync('git', ['-c', 'user.name=Bench', '-c', 'user.email=b@example.com', 'commit', '-qm', file], {
          cwd: repo,
        })
        return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo }).toString().trim()
      }
      const headA = commit('changed.js', 'export const run = (req) => eval(req.query.code)\n')
      const again = await pushAndScan(twice, 'git push')
      line('re-push, one file changed (incremental)', again)
      // Once more on the pack the re-push kept, and a third time at once: the worker is still keeping what
      // the second one read for the next push.
      const keptA = await offered(twice, headA)
      const headB = commit('second.js', 'export const second = 2\n')
      const second = await pushAndScan(twice, 'git push', headA)
      line(`again, on what the re-push kept (${fmt((keptA - again.at) / 1000, 2)} s after its findings)`, second)
      const keptB = offered(twice, headB)
      commit('third.js', 'export const third = 3\n')
      const third = await pushAndScan(twice, 'git push', 'now')
      line(
        `again at once, as the worker keeps the second's (${fmt(((await keptB) - second.at) / 1000, 2)} s after its findings)`,
        third,
      )
      const once = await repository('pushed-once')
      const fresh = await pushAndScan(once, 'bundle')
      line('the same push to a new repository (full scan)', fresh)

      const [incrementalFindings, fullFindings] = [await findingsOf(twice), await findingsOf(once)]
      const same = JSON.stringify(incrementalFindings) === JSON.stringify(fullFindings)
      console.log(
        `findings: ${incrementalFindings.length} open after the re-pushes, ${fullFindings.length} from the full scan; ` +
          `identical: ${same ? 'yes' : 'NO'}`,
      )
      console.log(
        `worker time of the re-push: ${fmt((100 * again.scan.stats.duration_ms) / fresh.scan.stats.duration_ms, 0)} % of ` +
          `the full scan's; upload → findings ${fmt(fresh.toFindings / again.toFindings)}× faster; peak RSS of this ` +
          `process (API, worker and emulators' clients) ${fmt(process.resourceUsage().maxRSS / 1024, 0)} MB`,
      )
    })
  } finally {
    await worker.close()
    rmSync(repo, { recursive: true, force: true })
  }
}
