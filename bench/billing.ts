// The billing summary reads aggregates, never line items: its latency should stay flat from 10 to
// 10,000 scans in the period. Run: POWERTOOLS_LOG_LEVEL=SILENT node --import tsx bench/billing.ts [--max 10000]
// Starts the local stack in a temporary folder; for each size, a fresh workspace gets that many metered
// scans spread over the last 28 days, two projects and four repositories; then GET /v1/billing/summary
// (grouped by day and by project, through the local gateway) is timed. The in-run baseline is what a
// summary that read the lines would pay: paging GET /v1/billing/usage through every line of the period.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startStack } from '../infra/local/stack.js'

const maxAt = process.argv.indexOf('--max')
const max = maxAt > 0 ? Number(process.argv[maxAt + 1]) : 10_000
const sizes = [10, 100, 1_000, 10_000].filter((size) => size <= max)
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
const fmt = (n: number) => n.toFixed(1)

const dataDir = mkdtempSync(join(tmpdir(), 'vega-bench-billing-'))
const stack = await startStack({ dataDir, port: 0, throttle: false })
try {
  const { createOwnerIfAbsent } = await import('../shared/data/users.js')
  const { createProject } = await import('../shared/data/projects.js')
  const { createRepository } = await import('../shared/data/repositories.js')
  const { meterScan } = await import('../shared/billing/meter.js')
  const { newId } = await import('../shared/ids.js')

  const today = new Date()
  const from = new Date(today.getTime() - 27 * 86_400_000).toISOString().slice(0, 10)
  const period = `from=${from}&to=${today.toISOString().slice(0, 10)}`
  const rows: { size: number; p50: number; p99: number; day: number; lines: number }[] = []

  for (const size of sizes) {
    const email = `bench-${size}-${Date.now()}@example.com`
    const password = 'bench-password-123'
    const { workspaceId } = await createOwnerIfAbsent({
      email,
      name: 'bench',
      password,
      workspaceName: `bench ${size}`,
    })
    const repos: Awaited<ReturnType<typeof createRepository>>[] = []
    for (const name of ['alpha', 'beta']) {
      const project = await createProject(workspaceId!, { name })
      for (const repo of ['api', 'web']) repos.push(await createRepository(project, { name: repo }))
    }
    const started = performance.now()
    // Four at a time: they share six aggregate items, so more only buys transaction conflicts and retries.
    for (let i = 0; i < size; i += 4) {
      await Promise.all(
        Array.from({ length: Math.min(4, size - i) }, (_, j) => {
          const repository = repos[(i + j) % repos.length]!
          const at = new Date(today.getTime() - ((i + j) % 28) * 86_400_000).toISOString()
          return meterScan(
            {
              id: newId('scan'),
              workspace_id: workspaceId!,
              project_id: repository.project_id,
              repository_id: repository.id,
              engines: ['secrets', 'code', 'dependencies'],
            },
            { files: 120, bytes: 10_000_000, commits: 40, duration_ms: 3000 },
            at,
          )
        }),
      )
    }
    const meteringS = (performance.now() - started) / 1000
    const login = await fetch(`${stack.url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    })
    const { access_token: token } = (await login.json()) as { access_token: string }
    const get = async (path: string) => {
      const answer = await fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${token}` } })
      if (answer.status !== 200) throw new Error(`${path}: ${answer.status} ${await answer.text()}`)
      return answer.json() as Promise<{ totals?: { scans: number }; items?: unknown[]; next_cursor?: string | null }>
    }
    const check = await get(`/v1/billing/summary?${period}`)
    if (check.totals?.scans !== size) throw new Error(`summary counts ${check.totals?.scans}, expected ${size}`)
    const samples: number[] = []
    for (let i = 0; i < 10; i++) await get(`/v1/billing/summary?${period}&group_by=day`) // warm up
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now()
      await get(`/v1/billing/summary?${period}&group_by=${i % 2 ? 'day' : 'project'}`)
      samples.push(performance.now() - t0)
    }
    samples.sort((a, b) => a - b)
    const t0 = performance.now()
    let lines = 0
    for (let cursor: string | null | undefined = ''; cursor !== null; ) {
      const page = await get(
        `/v1/billing/usage?${period}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      )
      lines += page.items!.length
      cursor = page.next_cursor ?? null
    }
    const allLinesMs = performance.now() - t0
    rows.push({ size, p50: quantile(samples, 0.5), p99: quantile(samples, 0.99), day: allLinesMs, lines })
    console.log(`metered ${size} scans in ${fmt(meteringS)} s (${fmt((meteringS * 1000) / size)} ms each)`)
  }

  console.log('\n## GET /v1/billing/summary over 28 days (group_by day and project, 200 requests, local gateway)')
  console.log('| scans in period | summary p50 ms | summary p99 ms | reading every line (baseline) ms |')
  console.log('|---:|---:|---:|---:|')
  for (const row of rows)
    console.log(
      `| ${row.size.toLocaleString('en')} | ${fmt(row.p50)} | ${fmt(row.p99)} | ${fmt(row.day)} (${row.lines} lines) |`,
    )
  const first = rows[0]!
  const last = rows.at(-1)!
  console.log(
    `\nsummary p50 at ${last.size.toLocaleString('en')} / at ${first.size}: ${(last.p50 / first.p50).toFixed(2)}x; ` +
      `reading the lines: ${(last.day / first.day).toFixed(1)}x`,
  )
} finally {
  await stack.stop()
  rmSync(dataDir, { recursive: true, force: true })
}
