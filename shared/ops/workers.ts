// GET /v1/ops/workers: the queues as SQS counts them (the whole service, numbers only), and the
// workspace's own scans: by state, stuck, the last runs and the failures.
import { sdk, sqs } from '../aws/clients.js'
import { config } from '../config.js'
import { advisoryData } from '../data/advisories.js'
import { listScansOfProjectSince } from '../data/ops.js'
import { listProjects } from '../data/projects.js'
import { getCleanupState, listActiveScans } from '../data/quotas.js'
import type { ScanRecord } from '../data/scans.js'
import { isStuck } from '../data/scans.js'
import type { ProjectId, WorkspaceId } from '../ids.js'
import { ecosystems } from '../scanning/engines/dependencies/types.js'

export const windowH = 24
const shown = 20

export async function queueCounts(url: string) {
  const { Attributes = {} } = await sqs().send(
    new (sdk.sqs().GetQueueAttributesCommand)({
      QueueUrl: url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  )
  return {
    depth: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  }
}

/**
 * The oldest dead letter's age, from the SentTimestamp of the messages a look at the DLQ returns (with
 * no visibility timeout, so the look hides nothing). Never done on the scan queue: every receive counts
 * towards a message's three tries. SQS has no such attribute; CloudWatch's metric needs another client.
 */
async function oldestDeadLetterAgeS(now: number): Promise<number | null> {
  const { Messages = [] } = await sqs().send(
    new (sdk.sqs().ReceiveMessageCommand)({
      QueueUrl: config().SCAN_DLQ_URL,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 0,
      WaitTimeSeconds: 0,
      MessageSystemAttributeNames: ['SentTimestamp'],
    }),
  )
  const sent = Messages.map((message) => Number(message.Attributes?.SentTimestamp)).filter(Number.isFinite)
  return sent.length ? Math.max(0, Math.round((now - Math.min(...sent)) / 1000)) : null
}

const view = (
  scan: Pick<ScanRecord, 'id' | 'repository_id' | 'status' | 'created_at' | 'started_at'> & Partial<ScanRecord>,
) => ({
  id: scan.id,
  repository_id: scan.repository_id,
  status: scan.status,
  created_at: scan.created_at,
  started_at: scan.started_at ?? null,
  finished_at: scan.finished_at ?? null,
  duration_ms: scan.stats?.duration_ms ?? null,
  error_code: scan.error?.code ?? null,
})

async function recentScans(workspace: WorkspaceId, since: number): Promise<ScanRecord[]> {
  const scans: ScanRecord[] = []
  let startKey: Record<string, unknown> | undefined
  do {
    const page = await listProjects(workspace, { limit: 100, startKey })
    for (const project of page.items) scans.push(...(await listScansOfProjectSince(project.id as ProjectId, since)))
    startKey = page.lastKey
  } while (startKey)
  return scans
}

export async function workers(workspace: WorkspaceId, now = Date.now()) {
  const [scanQueue, deadLetters, dlqOldest, allActive, recent, cleanup] = await Promise.all([
    queueCounts(config().SCAN_QUEUE_URL),
    queueCounts(config().SCAN_DLQ_URL),
    oldestDeadLetterAgeS(now),
    listActiveScans(),
    recentScans(workspace, now - windowH * 3600_000),
    getCleanupState(),
  ])
  const advisories = await advisoryFreshness(now)
  // What waits in the queue is the queued scans: the oldest of them is the oldest message's age.
  const queuedSince = allActive.filter((scan) => scan.status === 'queued').map((scan) => Date.parse(scan.created_at))
  const active = allActive.filter((scan) => scan.workspace_id === workspace)
  const byState = { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 }
  const counted = new Set<string>()
  for (const scan of active) {
    byState[scan.status]++
    counted.add(scan.id)
  }
  for (const scan of recent) if (!counted.has(scan.id) && scan.status in byState) byState[scan.status]++
  const stuck = active.filter((scan) => isStuck(scan, now))
  const finished = recent
    .filter((scan) => scan.finished_at)
    .sort((a, b) => b.finished_at!.localeCompare(a.finished_at!))
  return {
    workspace_id: workspace,
    queue: {
      depth: scanQueue.depth,
      in_flight: scanQueue.inFlight,
      delayed: scanQueue.delayed,
      dlq_depth: deadLetters.depth + deadLetters.inFlight,
      oldest_age_s: queuedSince.length ? Math.max(0, Math.round((now - Math.min(...queuedSince)) / 1000)) : null,
      dlq_oldest_age_s: dlqOldest,
    },
    scans_by_state: byState,
    window_h: windowH,
    stuck_scans: stuck.map(view),
    last_runs: finished.slice(0, shown).map(view),
    failures: finished
      .filter((scan) => scan.status === 'failed')
      .slice(0, shown)
      .map(view),
    last_cleanup: cleanup.last_run_at ? { at: cleanup.last_run_at, report: cleanup.last_report ?? {} } : null,
    advisories,
    warnings: advisories
      .filter((entry) => entry.stale)
      .map((entry) =>
        entry.synced_at
          ? `${entry.ecosystem} advisories were last synced ${entry.synced_at}, over ${config().ADVISORY_STALE_AFTER_H} h ago: newer advisories are missed`
          : `${entry.ecosystem} advisories were never synced: ${entry.ecosystem} lockfiles are matched against ${entry.records} advisories`,
      ),
  }
}

/** Each ecosystem Vega matches, with what the advisory store holds; stale when not synced recently (or never). */
export async function advisoryFreshness(now = Date.now()) {
  const stored = new Map((await advisoryData()).map((entry) => [entry.ecosystem, entry]))
  const staleBefore = now - config().ADVISORY_STALE_AFTER_H * 3600_000
  return ecosystems.map((ecosystem) => {
    const entry = stored.get(ecosystem)
    const syncedAt = entry?.synced_at ?? null
    return {
      ecosystem,
      records: entry?.records ?? 0,
      synced_at: syncedAt,
      // The source's own spelling (`…:55Z`, microseconds) read back in the API's one format.
      last_modified: entry?.last_modified ? new Date(Date.parse(entry.last_modified)).toISOString() : null,
      stale: syncedAt === null || Date.parse(syncedAt) < staleBefore,
    }
  })
}
