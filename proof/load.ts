// Proof 4: load from a second process against `npm start` (its gateway throttles as the dev stage does).
// 200 requests a second for 60 s, open loop (a request leaves every 5 ms whatever the answers do), mixed
// reads and writes: the only errors allowed are 429s with Retry-After. Then /healthz, probed every 50 ms,
// while the worker scans a 100,000-file repository.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { apiClient } from '../cli/client.js'
import { push } from '../cli/push.js'
import type { Row } from './kill-worker.js'
import { freePort, manyFiles, newRepository, percentile, say, scanOf, signIn, sleep, startChild } from './support.js'

export async function loadProof(options: { rate: number; seconds: number; files: number }): Promise<Row[]> {
  const stack = await startChild(mkdtempSync(join(tmpdir(), 'vega-proof-load-')), await freePort())
  try {
    const api = await signIn(stack.url)
    const repositoryId = await newRepository(api, 'load')
    const projectId = (await api.call('GET', `/v1/repositories/${repositoryId}`)).json.project_id
    const { token } = api
    const mix: (() => [string, string, unknown?])[] = [
      () => ['GET', '/v1/auth/me'],
      () => ['GET', '/v1/projects?limit=20'],
      () => ['GET', `/v1/repositories/${repositoryId}`],
      () => ['GET', `/v1/repositories/${repositoryId}/findings?limit=20`],
      () => ['GET', `/v1/projects/${projectId}/rollup`],
      () => ['GET', '/v1/healthz'],
      () => ['GET', `/v1/repositories/${repositoryId}/scans`],
      () => ['POST', '/v1/projects', { name: `load-${Math.random().toString(36).slice(2)}` }],
      () => ['PATCH', `/v1/projects/${projectId}`, { description: `at ${Date.now()}` }],
      () => ['POST', '/v1/git-uploads', { repository_id: repositoryId }],
    ]

    say(`load: ${options.rate} requests/s for ${options.seconds} s`)
    const accepted: number[] = []
    // After the first 5 s: the opening burst (100 admitted at once, cold caches) is its own figure.
    const steady: number[] = []
    const byKind = new Map<string, number[]>()
    let throttled = 0
    let throttledWithoutRetryAfter = 0
    const failures = new Map<string, number>()
    const inFlight: Promise<void>[] = []
    const started = performance.now()
    for (let i = 0; i < options.rate * options.seconds; i++) {
      const due = started + (i * 1000) / options.rate
      const wait = due - performance.now()
      if (wait > 0) await sleep(wait)
      // Drawn at random: a fixed rotation would alias with the throttle's refill and starve some kinds.
      const [method, path, body] = mix[Math.floor(Math.random() * mix.length)]!()
      const sent = performance.now()
      inFlight.push(
        fetch(`${stack.url}${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(60_000),
        }).then(
          async (answer) => {
            await answer.arrayBuffer()
            if (answer.status < 400) {
              const took = performance.now() - sent
              accepted.push(took)
              if (sent - started > 5_000) steady.push(took)
              const kind = `${method} ${path.replace(/(prj|repo)_\w+/g, '{id}').replace(/\?.*/, '')}`
              byKind.set(kind, [...(byKind.get(kind) ?? []), took])
            } else if (answer.status === 429) {
              throttled++
              if (!answer.headers.get('retry-after')) throttledWithoutRetryAfter++
            } else failures.set(String(answer.status), (failures.get(String(answer.status)) ?? 0) + 1)
          },
          (error: Error) => {
            failures.set(error.name, (failures.get(error.name) ?? 0) + 1)
          },
        ),
      )
    }
    await Promise.all(inFlight)
    const total = options.rate * options.seconds
    for (const [kind, times] of [...byKind].sort(([a], [b]) => a.localeCompare(b)))
      say(
        `load: ${kind}: ${times.length} answered, p50 ${percentile(times, 50).toFixed(0)} ms, p99 ${percentile(times, 99).toFixed(0)} ms`,
      )
    const failed = [...failures.values()].reduce((sum, count) => sum + count, 0)

    say(`load: writing a ${options.files}-file repository and pushing it`)
    const repo = await manyFiles(options.files)
    const bigRepository = await newRepository(api, 'many-files')
    // `vega push` picks git push or a bundle by size; its progress line names the scan once it is queued.
    let scanId: string | undefined
    let pushed = false
    const client = apiClient(stack.url, token)
    const pushing = push({ dir: repo, api: client, repositoryId: bigRepository })
      .then(async (done) => {
        scanId = done.scanId
        // The scan runs on after the push is acknowledged: the probes go on until it is over.
        for (;;) {
          const scan = await scanOf(api, bigRepository, done.scanId)
          if (!['queued', 'running'].includes(scan.status)) return { scan }
          await sleep(1000)
        }
      })
      .finally(() => {
        pushed = true
      })
    const probes: number[] = []
    let outcome = 'unknown'
    while (!pushed) {
      const sent = performance.now()
      const answer = await fetch(`${stack.url}/v1/healthz`)
      await answer.arrayBuffer()
      const took = performance.now() - sent
      if (scanId && (await scanOf(api, bigRepository, scanId)).status === 'running') probes.push(took)
      await sleep(50)
    }
    outcome = (await pushing).scan.status
    say(`load: the ${options.files}-file scan ${outcome}`)
    const scanRan = probes.length > 0 && outcome === 'succeeded'
    const healthP99 = percentile(probes, 99)
    return [
      {
        check: `${options.rate} req/s for ${options.seconds} s, mixed reads and writes (${total} requests)`,
        measured: `${accepted.length} answered, ${throttled} throttled (429), ${failed} other errors${failed ? ` (${[...failures].map(([kind, count]) => `${kind}×${count}`).join(' ')})` : ''}`,
        holds: failed === 0 && throttledWithoutRetryAfter === 0,
      },
      {
        check: 'latency of the answered requests',
        measured: `p50 ${percentile(accepted, 50).toFixed(0)} ms, p99 ${percentile(accepted, 99).toFixed(0)} ms; after the first 5 s p50 ${percentile(steady, 50).toFixed(0)} ms, p99 ${percentile(steady, 99).toFixed(0)} ms`,
        holds: true,
      },
      {
        check: `/healthz every 50 ms while a ${options.files.toLocaleString('en')}-file scan runs`,
        measured: `p99 ${healthP99.toFixed(1)} ms over ${probes.length} probes`,
        holds: scanRan && healthP99 <= 50,
      },
    ]
  } finally {
    await stack.stop()
  }
}
