// What the end-to-end push tests share: the local API Gateway and the real worker polling the shared scan
// queue, both in this process; a JSON client for the API; and a wait for what happens in the background.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { SQSEvent } from 'aws-lambda'
import { inject } from 'vitest'
import { handler as worker } from '../../functions/scan-worker/handler.js'
import { startPoller } from '../../infra/local/poller.js'
import { ensureResources } from '../../infra/local/resources.js'
import { startApiServer } from '../../infra/local/server.js'
import { requestLog } from '../../shared/log.js'
import { ScanMessage } from '../../shared/queue/scans.js'
import type { Engine } from '../../shared/scanning/engine.js'
import { runScan } from '../../shared/worker/run-scan.js'
import type { gitClient } from './git-client.js'

type GitClient = ReturnType<typeof gitClient>

/**
 * `registry`: the engines this file's scans run, instead of the product's (a slow one, to watch a push
 * while its scan runs). Its scans then go to a queue of the file's own, which no other file's worker reads,
 * hidden `visibilityTimeoutS` after a receipt (a failed scan's message comes back that soon).
 * `concurrency`: batches the worker runs at once (a sharded scan's shards side by side).
 * `ownQueue`: the product's engines on a queue of the file's own, for a file that changes the worker's
 * configuration in its process (another file's worker, reading the shared queue, would not see it).
 */
export async function startPushHarness(
  options: { registry?: Engine[]; concurrency?: number; visibilityTimeoutS?: number; ownQueue?: boolean } = {},
) {
  const { registry, concurrency, visibilityTimeoutS } = options
  const ownQueue = registry !== undefined || options.ownQueue === true
  const queueUrl = ownQueue
    ? (await ensureResources(inject('endpoints'), { prefix: `harness${Date.now()}`, visibilityTimeoutS })).scanQueueUrl
    : inject('resources').scanQueueUrl
  if (ownQueue) process.env.SCAN_QUEUE_URL = queueUrl
  const server = await startApiServer({ port: 0 })
  const poller = startPoller({
    endpoint: inject('endpoints').sqs,
    queueUrl,
    handler: registry ? scansWith(registry) : worker,
    concurrency,
  })
  // Remote URLs name the server git talks to; set before any handler reads the configuration. A small push
  // limit, so a refusal shows without megabytes of test data.
  process.env.PUBLIC_BASE_URL = server.url
  process.env.GIT_PUSH_MAX_BYTES = '100000'
  return {
    url: server.url,
    async stop() {
      await poller.stop()
      await server.close()
    },
  }
}

/** Calls the API as a bearer; the answer with its status, text and parsed JSON. */
export async function callApi(base: string, as: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${as}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  return { status: response.status, text, json: (text ? JSON.parse(text) : undefined) as any }
}

/** Polls until the probe answers something, or fails after the timeout. */
/** A new repository in Vega and a git work tree under `work` holding these files, committed. */
export async function repositoryWith(
  api: (method: string, path: string, body?: unknown) => ReturnType<typeof callApi>,
  git: GitClient,
  work: string,
  name: string,
  files: Record<string, string>,
): Promise<{ repositoryId: string; dir: string }> {
  const project = (await api('POST', '/v1/projects', { name })).json
  const repositoryId = (await api('POST', '/v1/repositories', { project_id: project.id, name })).json.id as string
  const dir = join(work, name)
  await git(work, 'init', '-q', dir)
  for (const [path, content] of Object.entries(files)) writeFileSync(join(dir, path), content)
  await git(dir, 'add', '-A')
  await git(dir, 'commit', '-q', '-m', name)
  return { repositoryId, dir }
}

export async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error('not in time')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** A worker whose scans run these engines: the worker's own run, one scan after another. */
function scansWith(registry: Engine[]) {
  return async (event: SQSEvent) => {
    for (const record of event.Records) {
      await runScan(ScanMessage.parse(JSON.parse(record.body)), requestLog({ test: 'push-harness' }), { registry })
    }
    return { batchItemFailures: [] }
  }
}
