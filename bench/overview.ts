// npm run bench -- overview: the security overview at 10,000 findings over 100 repositories (10 projects),
// on the local stack in this process. Each repository gets two scans through the real recording code (so
// the counters are what the pipeline keeps): the first finds 100 findings of mixed severities, the second
// 90 of them (10 fixed, 9,000 open in all); every fifth repository's first scan fails its gate. Then GET /v1/overview is
// timed over HTTP through the local gateway (JSON, CSV, and a 304 revalidation), against two in-run
// baselines: an authenticated read that does no work (GET /v1/auth/me) and what an overview that read the
// findings would pay at the least (paging GET /v1/findings?limit=200 through all of them once).
import { onLocalStack, signedIn } from './local-stack.js'

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
const fmt = (n: number) => n.toFixed(1)
const repositoriesCount = 100
const projectsCount = 10
const perRepository = 100
const fixedPerRepository = 10

export async function overview() {
  console.log(
    `\n## 10. GET /v1/overview at ${(repositoriesCount * perRepository).toLocaleString('en')} findings over ` +
      `${repositoriesCount} repositories (local stack, over HTTP)`,
  )
  await onLocalStack({}, async (stack) => {
    const { createProject } = await import('../shared/data/projects.js')
    const { createRepository } = await import('../shared/data/repositories.js')
    const { finishScan, putQueuedScan, startScan } = await import('../shared/data/scans.js')
    const { recordFindings } = await import('../shared/findings/record.js')
    const { newId } = await import('../shared/ids.js')
    type Repository = Awaited<ReturnType<typeof createRepository>>
    type Found = Parameters<typeof recordFindings>[1]

    const first = await signedIn(stack.url)
    const me = await fetch(`${stack.url}/v1/auth/me`, { headers: { authorization: `Bearer ${first.token}` } })
    const { memberships } = (await me.json()) as { memberships: { workspace_id: string }[] }
    const workspace = memberships[0]!.workspace_id as Parameters<typeof createProject>[0]
    const repositories: Repository[] = []
    for (let p = 0; p < projectsCount; p++) {
      const project = await createProject(workspace, { name: `project-${p}` })
      for (let r = 0; r < repositoriesCount / projectsCount; r++)
        repositories.push(await createRepository(project, { name: `repo-${r}` }))
    }
    const severities = ['critical', 'high', 'medium', 'medium', 'low', 'low', 'low', 'info'] as const
    const findingsOf = (repository: Repository, count: number): Found =>
      Array.from({ length: count }, (_, i) => ({
        engine: 'code',
        rule_id: `bench-rule-${i % 12}`,
        severity: severities[i % severities.length]!,
        title: 'A flaw',
        message: 'A flaw the bench made up',
        cwe: ['CWE-95'],
        fix: 'Fix it',
        identity: `${repository.id}-${i}`,
        locations: [{ path: `src/file-${i}.js`, start_line: 1, end_line: 1, snippet: `eval(x${i})` }],
        metadata: {},
      }))
    const stats = { files: 1, bytes: 1, commits: 1, duration_ms: 1 }
    const scanOf = (repository: Repository) => ({
      id: newId('scan'),
      repository_id: repository.id,
      project_id: repository.project_id,
      workspace_id: repository.workspace_id,
      upload_id: null,
      status: 'queued' as const,
      input: { kind: 'pack' as const, key: 'uploads/bench.pack', bytes: 1 },
      engines: ['code'],
      error: null,
      stats: null,
      created_at: new Date().toISOString(),
      started_at: null,
      finished_at: null,
    })
    const scanRepository = async (repository: Repository, index: number) => {
      for (const [round, count] of [
        [0, perRepository],
        [1, perRepository - fixedPerRepository],
      ] as const) {
        const scan = scanOf(repository)
        await putQueuedScan(scan)
        await startScan(scan.id)
        await recordFindings(scan, findingsOf(repository, count), ['code'])
        const gate =
          round === 0 && index % 5 === 0
            ? { verdict: 'failed' as const, rules_fired: [], policy: 'default' as const, baseline_scan_id: null }
            : undefined
        await finishScan(scan, { status: 'succeeded', stats, ...(gate ? { gate } : {}) })
      }
    }
    const seeding = performance.now()
    // Four repositories at a time, as four workers would record them.
    for (let i = 0; i < repositories.length; i += 4)
      await Promise.all(repositories.slice(i, i + 4).map((repository, j) => scanRepository(repository, i + j)))
    const seededS = (performance.now() - seeding) / 1000
    // Signed in again: seeding may outlast an access token.
    const { send, token } = await signedIn(stack.url)

    const get = async (path: string, headers: Record<string, string> = {}) => {
      const answer = await fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } })
      const body = await answer.text()
      if (answer.status !== 200 && answer.status !== 304) throw new Error(`${path}: ${answer.status} ${body}`)
      return { status: answer.status, etag: answer.headers.get('etag') ?? '', body }
    }
    const check = JSON.parse((await get('/v1/overview')).body) as {
      open_findings: Record<string, number>
      last_7_days: { new_findings: number; fixed_findings: number }
      days: { scans: number; gate_failures: number }[]
    }
    const open = Object.values(check.open_findings).reduce((a, b) => a + b, 0)
    const expectedOpen = repositoriesCount * (perRepository - fixedPerRepository)
    if (open !== expectedOpen) throw new Error(`the overview counts ${open} open findings, expected ${expectedOpen}`)
    const time = async (runs: number, work: () => Promise<unknown>) => {
      for (let i = 0; i < 10; i++) await work()
      const samples: number[] = []
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now()
        await work()
        samples.push(performance.now() - t0)
      }
      samples.sort((a, b) => a - b)
      return { p50: quantile(samples, 0.5), p95: quantile(samples, 0.95) }
    }
    const json = await time(200, () => get('/v1/overview'))
    const csv = await time(200, () => get('/v1/overview?format=csv'))
    const { etag } = await get('/v1/overview')
    const revalidated = await time(200, async () => {
      if ((await get('/v1/overview', { 'if-none-match': etag })).status !== 304) throw new Error('no 304')
    })
    const floor = await time(200, () => send('GET', '/v1/auth/me', token))
    const t0 = performance.now()
    let listed = 0
    for (let cursor: string | null = ''; cursor !== null; ) {
      const page = JSON.parse(
        (await get(`/v1/findings?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).body,
      ) as { items: unknown[]; next_cursor: string | null }
      listed += page.items.length
      cursor = page.next_cursor
    }
    const readingAll = performance.now() - t0

    console.log(
      `seeded ${repositoriesCount} repositories × 2 scans (${(repositoriesCount * perRepository).toLocaleString('en')} findings, ` +
        `${repositoriesCount * fixedPerRepository} fixed) in ${fmt(seededS)} s; the overview counts ${open.toLocaleString('en')} open, ` +
        `${check.last_7_days.new_findings} new and ${check.last_7_days.fixed_findings} fixed this week, ` +
        `${check.days.at(-1)!.scans} scans and ${check.days.at(-1)!.gate_failures} gate failures today`,
    )
    console.log('| request (200 each, after 10 to warm up) | p50 ms | p95 ms |')
    console.log('|---|---:|---:|')
    console.log(`| GET /v1/overview (JSON) | ${fmt(json.p50)} | ${fmt(json.p95)} |`)
    console.log(`| GET /v1/overview?format=csv (a row per repository) | ${fmt(csv.p50)} | ${fmt(csv.p95)} |`)
    console.log(`| GET /v1/overview with If-None-Match (304) | ${fmt(revalidated.p50)} | ${fmt(revalidated.p95)} |`)
    console.log(`| baseline: GET /v1/auth/me (an authenticated read) | ${fmt(floor.p50)} | ${fmt(floor.p95)} |`)
    console.log(
      `baseline: reading every finding (GET /v1/findings?limit=200, ${listed.toLocaleString('en')} findings, ` +
        `${Math.ceil(listed / 200)} pages): ${fmt(readingAll)} ms once, ${fmt(readingAll / json.p50)}× the overview's p50`,
    )
    console.log(`goal p50 ≤ 50 ms: ${json.p50 <= 50 ? 'met' : 'NOT met'}`)
  })
}
