// The cleanup: POST /v1/ops/cleanup for one workspace, and the schedule (functions/cleanup) for all.
// Objects in the uploads bucket are judged by what refers to them: an expired or released upload's
// bundle, an unanalysed expired session's archive, a push attempt that lost its race, anything whose
// upload or session is gone, and scan inputs past the workspace's retention. A dry run lists exactly
// what the real run removes (given nothing changed in between), and changes nothing.
import { s3, sdk } from '../aws/clients.js'
import { limitsOf } from '../billing/quotas.js'
import { config } from '../config.js'
import { sweepRateWindows } from '../data/ops.js'
import { getCleanupState, putCleanupState } from '../data/quotas.js'
import { getRepository } from '../data/repositories.js'
import { getScan } from '../data/scans.js'
import { getSession } from '../data/sessions.js'
import { getUpload, statusOf } from '../data/uploads.js'
import type { RepositoryId, ScanId, SessionId, UploadId, WorkspaceId } from '../ids.js'
import type { RequestLog } from '../log.js'
import { uploadsBucket } from '../storage/bucket.js'
import { drainDeadLetters } from '../worker/dead-letters.js'
import { sweepStuckScans } from '../worker/sweep.js'
import { refreshRateOverrides } from './limits.js'
import { queueCounts } from './workers.js'

/** An object nothing refers to may still be on its way to being referred to (a push mid-transaction). */
const orphanGraceMs = 3600_000
/** Keys listed per category in the report; the counts are always whole. */
const listedKeys = 100
/** Objects judged in one run; past it the report says truncated and the next run goes on. */
const maxObjectsPerRun = 20_000
/** Table pages the rate-window sweep reads per scheduled run (1 MB each at most). */
const rateSweepPages = 10

type Verdict = 'keep' | 'expired_uploads' | 'orphans' | 'past_retention'

interface Found {
  count: number
  bytes: number
  keys: string[]
}
const none = (): Found => ({ count: 0, bytes: 0, keys: [] })

export interface CleanupReport {
  dry_run: boolean
  workspace_id: WorkspaceId | null
  expired_uploads: Found
  orphans: Found
  past_retention: Found
  stuck_scans: { requeued: ScanId[]; failed: ScanId[] }
  dead_letters: number
  rate_limit_items: number
  truncated: boolean
}

/** Looks each upload, session, scan and workspace up once per run. */
function judge(now: number) {
  const cache = new Map<string, Promise<unknown>>()
  const once = <T>(key: string, read: () => Promise<T>): Promise<T> => {
    if (!cache.has(key)) cache.set(key, read())
    return cache.get(key) as Promise<T>
  }
  const retentionMs = async (workspace: string) =>
    (await once(`ws:${workspace}`, () => limitsOf(workspace as WorkspaceId))).values.retention_days * 86_400_000
  const isInputOf = async (scanId: ScanId | null, key: string) =>
    scanId ? (await once(`scan:${scanId}`, () => getScan(scanId)))?.input.key === key : false

  return async (key: string, modified: number): Promise<Verdict> => {
    const [workspace, repository, owner] = key.slice(uploadsBucket.uploadsPrefix.length).split('/')
    const age = now - modified
    const orphan = (): Verdict => (age > orphanGraceMs ? 'orphans' : 'keep')
    if (!workspace || !owner) return orphan()
    const pastRetention = async (): Promise<Verdict> =>
      age > (await retentionMs(workspace)) ? 'past_retention' : 'keep'
    // What a repository keeps between scans (objectKeys.kept) goes with the repository.
    if (owner === uploadsBucket.keptFolder)
      return (await once(`repo:${repository}`, () => getRepository(repository as RepositoryId))) ? 'keep' : orphan()
    if (owner.startsWith('upl_')) {
      const upload = await once(`upl:${owner}`, () => getUpload(owner as UploadId))
      if (!upload) return orphan()
      const status = statusOf(upload, now)
      if (status === 'expired' || status === 'released') return 'expired_uploads'
      if (status === 'awaiting_push') return 'keep'
      return (await isInputOf(upload.scan_id, key)) ? pastRetention() : orphan()
    }
    if (owner.startsWith('ses_')) {
      const session = await once(`ses:${owner}`, () => getSession(owner as SessionId))
      if (!session) return orphan()
      if (session.status === 'awaiting_upload')
        return Date.parse(session.expires_at) <= now ? 'expired_uploads' : 'keep'
      return (await isInputOf(session.scan_id, key)) ? pastRetention() : orphan()
    }
    return orphan()
  }
}

/** Walks the bucket (one workspace's prefix, or all), judging each object; deletes unless dry. */
async function sweepObjects(report: CleanupReport, workspace: WorkspaceId | undefined, now: number) {
  const Bucket = config().UPLOADS_BUCKET
  const verdictOf = judge(now)
  let ContinuationToken: string | undefined
  let seen = 0
  do {
    const page = await s3().send(
      new (sdk.s3().ListObjectsV2Command)({
        Bucket,
        Prefix: `${uploadsBucket.uploadsPrefix}${workspace ? `${workspace}/` : ''}`,
        ContinuationToken,
      }),
    )
    const doomed: { Key: string }[] = []
    for (const object of page.Contents ?? []) {
      if (!object.Key) continue
      const verdict = await verdictOf(object.Key, object.LastModified?.getTime() ?? now)
      if (verdict === 'keep') continue
      const found = report[verdict]
      found.count++
      found.bytes += object.Size ?? 0
      if (found.keys.length < listedKeys) found.keys.push(object.Key)
      doomed.push({ Key: object.Key })
    }
    if (!report.dry_run && doomed.length)
      await s3().send(new (sdk.s3().DeleteObjectsCommand)({ Bucket, Delete: { Objects: doomed, Quiet: true } }))
    seen += page.Contents?.length ?? 0
    ContinuationToken = page.NextContinuationToken
    if (ContinuationToken && seen >= maxObjectsPerRun) report.truncated = true
  } while (ContinuationToken && !report.truncated)
}

export async function cleanup(
  log: RequestLog,
  options: { dryRun: boolean; workspace?: WorkspaceId; now?: number },
): Promise<CleanupReport> {
  const now = options.now ?? Date.now()
  const report: CleanupReport = {
    dry_run: options.dryRun,
    workspace_id: options.workspace ?? null,
    expired_uploads: none(),
    orphans: none(),
    past_retention: none(),
    stuck_scans: { requeued: [], failed: [] },
    dead_letters: 0,
    rate_limit_items: 0,
    truncated: false,
  }
  await sweepObjects(report, options.workspace, now)
  report.stuck_scans = await sweepStuckScans(log, now, { dryRun: options.dryRun, workspace: options.workspace })
  // Dead letters and rate-limit windows name no workspace: only the service-wide run touches them.
  if (!options.workspace) {
    report.dead_letters = options.dryRun
      ? (await queueCounts(config().SCAN_DLQ_URL)).depth
      : (await drainDeadLetters(log)).failed
    const state = await getCleanupState()
    const rate = await sweepRateWindows({
      startKey: state.rate_sweep_key ?? undefined,
      maxPages: rateSweepPages,
      dryRun: options.dryRun,
      now,
    })
    report.rate_limit_items = rate.found
    if (!options.dryRun) {
      await refreshRateOverrides()
      await putCleanupState({
        last_run_at: new Date(now).toISOString(),
        last_report: countsOf(report),
        rate_sweep_key: rate.nextKey ?? null,
      })
    }
  }
  if (!options.dryRun) log.info('cleanup', countsOf(report))
  return report
}

/** The report without object keys or scan ids: what the service-wide run keeps and logs. */
export const countsOf = (report: CleanupReport) => ({
  expired_uploads: report.expired_uploads.count,
  orphans: report.orphans.count,
  past_retention: report.past_retention.count,
  bytes_removed: report.expired_uploads.bytes + report.orphans.bytes + report.past_retention.bytes,
  requeued: report.stuck_scans.requeued.length,
  failed: report.stuck_scans.failed.length,
  dead_letters: report.dead_letters,
  rate_limit_items: report.rate_limit_items,
  truncated: report.truncated,
})
