// npm run bench: figures for the closing notes, each with a baseline measured in the same run.
//   1. per-request overhead of lambda() (middy, dispatch, zod, envelope) against a bare handler;
//   2. the local gateway's HTTP overhead against a bare node:http server;
//   3. cold start of each bundled function (esbuild, as CDK bundles it) against an empty Node start;
//   4. the local stack: time to ready (cold data folder, then warm) and the memory of all its processes.
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { APIGatewayProxyEvent } from 'aws-lambda'
import { build, type Metafile } from 'esbuild'
import { handler as health } from '../functions/health/handler.js'
import { freePort } from '../infra/local/emulators.js'
import { apiGatewayEvent, lambdaContext } from '../infra/local/event.js'
import { startApiServer } from '../infra/local/server.js'
import { sqsEvent, sqsRecord } from '../infra/local/sqs-event.js'
import { debugUser } from '../infra/local/stack.js'
import { groups } from '../shared/routes/route.js'
import { onLocalStack, run, signedIn } from './local-stack.js'

const only = process.argv[2]
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
const fmt = (n: number, digits = 1) => n.toFixed(digits)

async function time(iterations: number, work: () => Promise<unknown>) {
  const samples: number[] = []
  for (let i = 0; i < iterations; i++) {
    const started = performance.now()
    await work()
    samples.push(performance.now() - started)
  }
  samples.sort((a, b) => a - b)
  return { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99) }
}

async function perRequestOverhead() {
  console.log('\n## 1. lambda() per-request overhead (GET /v1/healthz, in process)')
  const event = apiGatewayEvent({ method: 'GET', path: '/v1/healthz', resource: '/v1/healthz' })
  const context = lambdaContext('bench', 'r', 10_000)
  const body = JSON.stringify({ status: 'ok', version: '0.1.0', uptime_s: 0 })
  const bare = async (_: APIGatewayProxyEvent) => ({
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body,
  })
  for (let i = 0; i < 2_000; i++) await health(event, context) // warm the JIT
  const ours = await time(20_000, () => health(event, context))
  const baseline = await time(20_000, () => bare(event))
  console.log(`lambda(): p50 ${fmt(ours.p50 * 1000)} µs, p99 ${fmt(ours.p99 * 1000)} µs`)
  console.log(`bare handler: p50 ${fmt(baseline.p50 * 1000, 2)} µs`)
  console.log(`overhead per request: ${fmt((ours.p50 - baseline.p50) * 1000)} µs at p50`)
}

async function gatewayOverhead() {
  console.log('\n## 2. local gateway over HTTP (GET /v1/healthz, keep-alive, 8 concurrent)')
  const body = JSON.stringify({ status: 'ok', version: '0.1.0', uptime_s: 0 })
  const bare = createServer((_, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(body))
  const barePort = await freePort()
  await new Promise<void>((resolve) => bare.listen(barePort, '127.0.0.1', resolve))
  const ours = await startApiServer({ port: 0 })
  const load = async (url: string, total: number) => {
    const started = performance.now()
    let next = 0
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next++ < total) await (await fetch(url)).arrayBuffer()
      }),
    )
    return total / ((performance.now() - started) / 1000)
  }
  await load(`${ours.url}/v1/healthz`, 500)
  const oursRps = await load(`${ours.url}/v1/healthz`, 5_000)
  const bareRps = await load(`http://127.0.0.1:${barePort}/`, 5_000)
  console.log(
    `local gateway: ${fmt(oursRps, 0)} req/s; bare node:http: ${fmt(bareRps, 0)} req/s; ratio ${fmt(oursRps / bareRps, 2)}`,
  )
  await ours.close()
  bare.close()
}

async function coldStarts() {
  console.log('\n## 3. cold start of each bundled function (import + first request), median of 5')
  // Inside the project, so the bundles find @aws-sdk/* in node_modules as Lambda finds it in its runtime.
  const out = resolve(mkdtempSync(join('.cache', 'bench-bundles-')))
  const nodeStart = medianRun(['-e', '0'])
  const contents: [string, string][] = []
  console.log(`empty node start: ${fmt(nodeStart, 0)} ms`)
  console.log('| function | bundle KB | cold start ms | minus empty node ms |')
  console.log('|---|---|---|---|')
  for (const group of groups) {
    const file = join(out, `${group}.mjs`)
    const { metafile } = await build({
      entryPoints: [`functions/${group}/handler.ts`],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      minify: true,
      mainFields: ['module', 'main'],
      external: ['@aws-sdk/*'],
      outfile: file,
      logLevel: 'silent',
      metafile: true,
      banner: {
        js: "import { createRequire as __vegaRequire } from 'node:module'; const require = __vegaRequire(import.meta.url);",
      },
    })
    contents.push([group, biggestInputs(metafile)])
    const kb = statSync(file).size / 1024
    const script = `const { handler } = await import(${JSON.stringify(file)}); await handler(${JSON.stringify(
      apiGatewayEvent({ method: 'GET', path: '/v1/nope' }),
    )}, { awsRequestId: 'r' })`
    const ms = medianRun(['--input-type=module', '-e', script], { POWERTOOLS_LOG_LEVEL: 'SILENT' })
    console.log(`| ${group} | ${fmt(kb, 0)} | ${fmt(ms, 0)} | ${fmt(ms - nodeStart, 0)} |`)
  }
  // The worker: ast-grep's native addon and grammars stay outside the bundle (as in its Lambda asset); a
  // batch with one malformed message is dropped without AWS, so this is import + first batch.
  const worker = join(out, 'scan-worker.mjs')
  const { metafile: workerMetafile } = await build({
    entryPoints: ['functions/scan-worker/handler.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    mainFields: ['module', 'main'],
    external: ['@aws-sdk/*', '@ast-grep/*'],
    outfile: worker,
    logLevel: 'silent',
    metafile: true,
    banner: {
      js: "import { createRequire as __vegaRequire } from 'node:module'; const require = __vegaRequire(import.meta.url);",
    },
  })
  const batch = JSON.stringify(sqsEvent(sqsRecord({ not: 'a scan' }, 'm1')))
  const workerScript = `const { handler } = await import(${JSON.stringify(worker)}); await handler(${batch}, { awsRequestId: 'r' })`
  const workerMs = medianRun(['--input-type=module', '-e', workerScript], {
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  })
  console.log(
    `| scan-worker (+ ast-grep outside) | ${fmt(statSync(worker).size / 1024, 0)} | ${fmt(workerMs, 0)} | ${fmt(workerMs - nodeStart, 0)} |`,
  )
  contents.push(['scan-worker', biggestInputs(workerMetafile)])
  console.log('\nWhat each bundle holds: its five biggest inputs, minified KB (a package counts all its files)')
  console.log('| function | biggest inputs |')
  console.log('|---|---|')
  for (const [name, inputs] of contents) console.log(`| ${name} | ${inputs} |`)
  rmSync(out, { recursive: true, force: true })
}

/** A bundle's five biggest inputs by bytes in the output: a package as a whole, a project file by its path. */
function biggestInputs(metafile: Metafile): string {
  const bytes = new Map<string, number>()
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? path
      bytes.set(name, (bytes.get(name) ?? 0) + bytesInOutput)
    }
  }
  return [...bytes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([name, size]) => `${name} ${fmt(size / 1024, 0)}`)
    .join(', ')
}

function medianRun(args: string[], env: Record<string, string> = {}) {
  const runs: number[] = []
  for (let i = 0; i < 5; i++) {
    const started = performance.now()
    execFileSync(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] })
    runs.push(performance.now() - started)
  }
  return runs.sort((a, b) => a - b)[2]!
}

async function localStack() {
  console.log('\n## 4. npm start: time to ready and memory')
  const dataDir = mkdtempSync(join(tmpdir(), 'vega-bench-stack-'))
  for (const label of ['cold (empty data folder)', 'warm (same folder again)']) {
    const port = await freePort()
    const started = performance.now()
    const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts'], {
      env: {
        ...process.env,
        PORT: String(port),
        VEGA_DATA_DIR: dataDir,
        VEGA_DYNAMODB_PORT: '0',
        VEGA_S3_PORT: '0',
        VEGA_SQS_PORT: '0',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let output = ''
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk
        if (output.includes('vega: ready')) resolve()
      }),
    )
    const readyMs = performance.now() - started
    const healthStarted = performance.now()
    await fetch(`http://127.0.0.1:${port}/v1/readyz`)
    const firstReadyz = performance.now() - healthStarted
    const rss = treeRssMb(child.pid!)
    console.log(
      `${label}: ready in ${fmt(readyMs / 1000, 2)} s; first /v1/readyz ${fmt(firstReadyz, 0)} ms; RSS of all processes ${fmt(rss, 0)} MB`,
    )
    child.kill('SIGINT')
    await new Promise((resolve) => child.once('exit', resolve))
  }
  rmSync(dataDir, { recursive: true, force: true })
}

/** Resident memory of a process and all its descendants, from /proc. */
function treeRssMb(root: number): number {
  const pids = [root]
  for (let i = 0; i < pids.length; i++) {
    try {
      const children = readFileSync(`/proc/${pids[i]}/task/${pids[i]}/children`, 'utf8').trim()
      if (children) pids.push(...children.split(/\s+/).map(Number))
    } catch {
      // gone
    }
  }
  let kb = 0
  for (const pid of pids) {
    const match = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    kb += Number(match?.[1] ?? 0)
  }
  return kb / 1024
}

async function authentication() {
  console.log('\n## 5. authentication on the local stack (in process: the stack, the HTTP server, the client)')
  process.env.LOGIN_LIMIT_PER_ACCOUNT = '1000000'
  process.env.LOGIN_LIMIT_PER_ACCOUNT_SOURCE = '1000000'
  process.env.LOGIN_LIMIT_PER_SOURCE = '1000000'
  await onLocalStack({}, async (stack) => {
    const { resolveActor } = await import('../shared/auth/principal.js')
    const { verifyAccessToken } = await import('../shared/crypto/tokens.js')
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${stack.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      })
    const get = (path: string, headers: Record<string, string> = {}) => fetch(`${stack.url}${path}`, { headers })
    const login = async () =>
      (await (await post('/v1/auth/login', { email: debugUser.email, password: debugUser.password })).json()) as {
        access_token: string
      }

    const { access_token: token } = await login()
    const bearer = { authorization: `Bearer ${token}` }
    const created = (await (await post('/v1/api-keys', { name: 'bench', scopes: ['read'] }, bearer)).json()) as {
      key: string
    }
    const logins = await time(50, login)
    const health = await time(500, async () => (await get('/v1/healthz')).arrayBuffer())
    const meToken = await time(500, async () => (await get('/v1/auth/me', bearer)).arrayBuffer())
    const meKey = await time(500, async () =>
      (await get('/v1/auth/me', { 'private-token': created.key })).arrayBuffer(),
    )
    console.log(
      `HTTP p50: login ${fmt(logins.p50)} ms; GET /v1/auth/me ${fmt(meToken.p50)} ms with a token, ` +
        `${fmt(meKey.p50)} ms with a key; GET /v1/healthz ${fmt(health.p50)} ms`,
    )

    const verify = await time(5_000, () => verifyAccessToken(token))
    const resolveToken = await time(2_000, () => resolveActor(token))
    const resolveKey = await time(2_000, () => resolveActor(created.key))
    console.log(
      `in process p50: JWT verify ${fmt(verify.p50 * 1000)} µs; resolve a token (verify + session read) ` +
        `${fmt(resolveToken.p50, 2)} ms; resolve a key (checksum + SHA-256 + key read) ${fmt(resolveKey.p50, 2)} ms`,
    )
  })
}

async function catalog() {
  console.log('\n## 6. projects and rollups on the local stack, over HTTP (300 requests each)')
  await onLocalStack({}, async (stack) => {
    const { send, token } = await signedIn(stack.url)
    for (let i = 0; i < 60; i++) await send('POST', '/v1/projects', token, { name: `project-${i}` })
    const { id: projectId } = await send('POST', '/v1/projects', token, { name: 'with-repositories' })
    for (let i = 0; i < 50; i++)
      await send('POST', '/v1/repositories', token, { project_id: projectId, name: `repo-${i}` })
    const page = await send('GET', '/v1/projects?limit=50', token)
    if (!Array.isArray(page.items) || page.items.length !== 50)
      throw new Error(`unexpected answer: ${JSON.stringify(page).slice(0, 200)}`)
    const list = await time(300, () => send('GET', '/v1/projects?limit=50', token))
    const rollup = await time(300, () => send('GET', `/v1/projects/${projectId}/rollup`, token))
    const health = await time(300, () => send('GET', '/v1/healthz'))
    const me = await time(300, () => send('GET', '/v1/auth/me', token))
    console.log(`GET /v1/projects?limit=50 (61 projects): p50 ${fmt(list.p50)} ms, p99 ${fmt(list.p99)} ms`)
    console.log(`GET /v1/projects/{id}/rollup (50 repositories): p50 ${fmt(rollup.p50)} ms, p99 ${fmt(rollup.p99)} ms`)
    console.log(
      `baselines: GET /v1/healthz p50 ${fmt(health.p50)} ms; GET /v1/auth/me (authenticated read) p50 ${fmt(me.p50)} ms`,
    )
  })
}

async function pipeline() {
  console.log('\n## 7. git push and bundle to scan succeeded, on the local stack (all three engines)')
  const worker = (await import('../functions/scan-worker/handler.js')).handler
  await onLocalStack({ worker }, async (stack) => {
    const { send, token } = await signedIn(stack.url)
    const { id: projectId } = await send('POST', '/v1/projects', token, { name: 'bench' })
    const { id: repositoryId } = await send('POST', '/v1/repositories', token, { project_id: projectId, name: 'bench' })
    const succeeded = async (scanId: string) => {
      for (;;) {
        const scan = await send('GET', `/v1/repositories/${repositoryId}/scans/${scanId}`, token)
        if (scan.status === 'succeeded' || scan.status === 'failed') return scan
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    }
    const { buildRepo, hundredMegabytes } = await import('./git-unpack.js')
    const modules = resolve('node_modules')
    const cases = [
      ['a pack under the push limit, by git push', 'aws-cdk-lib', { files: 250, commits: 60, edits: 6, chunk: 1500 }],
      ['~13 MB bundle by presigned PUT', 'aws-cdk-lib', { files: 3000, commits: 200, edits: 10, chunk: 2000 }],
      // BENCH_LARGE=1: the ~100 MB repository of issue #6 (a few minutes to build and scan).
      ...(process.env.BENCH_LARGE ? [['~100 MB bundle by presigned PUT', '.', hundredMegabytes] as const] : []),
    ] as const
    for (const [label, source, options] of cases) {
      const repo = await buildRepo(join(modules, source), options)
      const upload = await send('POST', '/v1/git-uploads', token, { repository_id: repositoryId })
      const started = performance.now()
      let scanId: string
      let bytes: number
      if (label.includes('push')) {
        const push = await run('git', ['push', upload.remote_url!, 'main'], repo)
        if (push.code !== 0) throw new Error(push.stderr)
        scanId = /Scan (scan_\w+) queued/.exec(push.stderr)![1]!
        bytes = Number(/\((\d+) bytes\)/.exec(push.stderr)?.[1] ?? 0)
      } else {
        const bundle = (await run('git', ['bundle', 'create', '-', '--all'], repo)).stdout
        bytes = bundle.length
        await fetch(upload.bundle_upload_url!, { method: 'PUT', body: bundle })
        scanId = (await send('POST', `/v1/git-uploads/${upload.id}/complete`, token)).scan_id!
      }
      const acknowledged = performance.now() - started
      const scan = (await succeeded(scanId)) as unknown as {
        status: string
        stats: { files: number; duration_ms: number }
      }
      const total = performance.now() - started
      console.log(
        `${label}: ${fmt(bytes / 1e6)} MB; acknowledged in ${fmt(acknowledged / 1000, 2)} s; ${scan.status} after ` +
          `${fmt(total / 1000, 2)} s (worker ${fmt(scan.stats.duration_ms / 1000, 2)} s for ${scan.stats.files} files);` +
          ` peak RSS of this process (API, worker and fauxqs) so far ${fmt(process.resourceUsage().maxRSS / 1024, 0)} MB`,
      )
      rmSync(repo, { recursive: true, force: true })
    }
  })
}

async function verdict() {
  console.log('\n## 8. git push -o vega.wait: push to verdict for a ~1 MB repository (local stack, all engines)')
  const worker = (await import('../functions/scan-worker/handler.js')).handler
  await onLocalStack({ worker }, async (stack) => {
    const { send, token } = await signedIn(stack.url)
    const { id: projectId } = await send('POST', '/v1/projects', token, { name: 'verdict' })
    const { buildRepo } = await import('./git-unpack.js')
    const repo = await buildRepo(resolve('node_modules', 'aws-cdk-lib'), {
      files: 360,
      commits: 20,
      edits: 4,
      chunk: 1500,
    })
    const timings: number[] = []
    let output = ''
    for (let round = 0; round < 5; round++) {
      // A repository of its own each time: pushed again, the same one would send an empty thin pack.
      const { id: repositoryId } = await send('POST', '/v1/repositories', token, {
        project_id: projectId,
        name: `v${round}`,
      })
      const upload = await send('POST', '/v1/git-uploads', token, { repository_id: repositoryId })
      const started = performance.now()
      const push = await run('git', ['push', '-o', 'vega.wait=120', upload.remote_url!, 'main'], repo)
      timings.push(performance.now() - started)
      output = push.stderr
    }
    const [, objects, bytes] = /received (\d+) objects \((\d+) bytes\)/.exec(output) ?? ['', '0', '0']
    const sorted = [...timings].sort((a, b) => a - b)
    console.log(
      `${objects} objects, ${fmt(Number(bytes) / 1e6, 2)} MB pack, 5 pushes: push → verdict median ${fmt(sorted[2]! / 1000, 2)} s ` +
        `(best ${fmt(sorted[0]! / 1000, 2)} s); the last said: ${/Vega: scan \S+ succeeded[^\n]*/.exec(output)?.[0] ?? output.slice(-200)}`,
    )
    rmSync(repo, { recursive: true, force: true })
  })
}

const sections: Record<string, () => Promise<void>> = {
  overhead: perRequestOverhead,
  gateway: gatewayOverhead,
  cold: coldStarts,
  stack: localStack,
  auth: authentication,
  catalog,
  pipeline,
  verdict,
  incremental: async () => (await import('./incremental.js')).incremental(),
  large: async () => (await import('./large.js')).large(),
  overview: async () => (await import('./overview.js')).overview(),
  cores: async () => (await import('./cores.js')).cores(),
  input: async () => (await import('./input.js')).input(),
}
console.log(`# Vega benchmarks (${process.version}, ${new Date().toISOString()})`)
for (const [name, run] of Object.entries(sections)) if (!only || only === name) await run()
