// npm run bench -- incremental: a ~100 MB repository with history (real code from node_modules over 300
// commits) pushed as a bundle to the local stack, then pushed again with one file changed. Prints push →
// findings and worker time for the full scan, for the re-push (which reuses what the first found clean),
// and for the same re-push to a new repository (a full scan of the same tree), and whether the last two
// found the same findings. BENCH_SMALL=1 builds a ~13 MB repository instead (a quick look).
import { execFileSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { buildRepo, hundredMegabytes } from './git-unpack.js'
import { onLocalStack, signedIn } from './local-stack.js'

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
  const worker = (await import('../functions/scan-worker/handler.js')).handler
  try {
    await onLocalStack({ worker }, async (stack) => {
      const { send, token } = await signedIn(stack.url)
      const { id: projectId } = await send('POST', '/v1/projects', token, { name: 'incremental' })
      const repository = async (name: string) =>
        (await send('POST', '/v1/repositories', token, { project_id: projectId, name })).id!

      /** Bundles the repository, uploads it, and waits for the scan: the times of each step. */
      const pushAndScan = async (repositoryId: string) => {
        let at = performance.now()
        const bundle = execFileSync('git', ['bundle', 'create', '-', '--all'], { cwd: repo, maxBuffer: 2 ** 31 })
        const bundling = performance.now() - at
        at = performance.now()
        const upload = await send('POST', '/v1/git-uploads', token, { repository_id: repositoryId })
        await fetch(upload.bundle_upload_url!, { method: 'PUT', body: bundle })
        const scanId = (await send('POST', `/v1/git-uploads/${upload.id}/complete`, token)).scan_id!
        let scan: Scan
        for (;;) {
          scan = (await send('GET', `/v1/scans/${scanId}`, token)) as unknown as Scan
          if (scan.status === 'succeeded' || scan.status === 'failed') break
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
        if (scan.status !== 'succeeded') throw new Error(`scan ${scanId} ${scan.status}`)
        return { scan, bytes: bundle.length, bundling, toFindings: performance.now() - at }
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
          `${label}: ${fmt(run.bytes / 1e6)} MB bundle (made in ${fmt(run.bundling / 1000, 2)} s); upload → findings ` +
            `${fmt(run.toFindings / 1000, 2)} s; worker ${fmt(run.scan.stats.duration_ms / 1000, 2)} s for ` +
            `${run.scan.stats.files} files; reuse ${JSON.stringify(run.scan.stats.reuse)}`,
        )

      const twice = await repository('pushed-twice')
      const first = await pushAndScan(twice)
      line('first push (full scan)', first)

      writeFileSync(join(repo, 'src', 'changed.js'), 'export const run = (req) => eval(req.query.code)\n')
      execFileSync('git', ['add', '-A'], { cwd: repo })
      execFileSync('git', ['-c', 'user.name=Bench', '-c', 'user.email=b@example.com', 'commit', '-qm', 'one'], {
        cwd: repo,
      })
      const again = await pushAndScan(twice)
      line('re-push, one file changed (incremental)', again)
      const once = await repository('pushed-once')
      const fresh = await pushAndScan(once)
      line('the same push to a new repository (full scan)', fresh)

      const [incrementalFindings, fullFindings] = [await findingsOf(twice), await findingsOf(once)]
      const same = JSON.stringify(incrementalFindings) === JSON.stringify(fullFindings)
      console.log(
        `findings: ${incrementalFindings.length} open after the re-push, ${fullFindings.length} from the full scan; ` +
          `identical: ${same ? 'yes' : 'NO'}`,
      )
      console.log(
        `worker time of the re-push: ${fmt((100 * again.scan.stats.duration_ms) / fresh.scan.stats.duration_ms, 0)} % of ` +
          `the full scan's; upload → findings ${fmt(fresh.toFindings / again.toFindings)}× faster; peak RSS of this ` +
          `process (API, worker and emulators' clients) ${fmt(process.resourceUsage().maxRSS / 1024, 0)} MB`,
      )
    })
  } finally {
    rmSync(repo, { recursive: true, force: true })
  }
}
