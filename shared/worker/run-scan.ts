// One scan, from its queue message to its final state. Runs at least once, takes effect once: the
// state moves only through conditional transitions, a finished scan is never run again, and a worker
// that dies mid-scan is replaced by a redelivery that starts over from the stored input.
import { meterScan } from '../billing/meter.js'
import { config } from '../config.js'
import { derivedKey } from '../crypto/secret.js'
import { dynamoAdvisorySource } from '../data/advisories.js'
import { appendEvent, systemActor } from '../data/events.js'
import { putInventory } from '../data/inventories.js'
import { getRepository, recordLastScan } from '../data/repositories.js'
import { claimRecording, finishScan, getScan, isCancelRequested, type ScanRecord, startScan } from '../data/scans.js'
import { InputError } from '../errors.js'
import { gateOf } from '../findings/gate.js'
import { type RecordedFindings, recordFindings } from '../findings/record.js'
import { readBundleFile } from '../git/bundle.js'
import { GitError } from '../git/errors.js'
import { FileBytes } from '../git/pack-bytes.js'
import type { RequestLog } from '../log.js'
import { recordScanOutcome, type ScanFigures } from '../metrics.js'
import type { ScanMessage } from '../queue/scans.js'
import { type Engine, type EngineFinding, engineNames } from '../scanning/engine.js'
import { codeEngine } from '../scanning/engines/code/index.js'
import { dependenciesEngine } from '../scanning/engines/dependencies/index.js'
import { type SecretsSource, secretsEngine } from '../scanning/engines/secrets/index.js'
import { prepareArchiveSource, prepareSource } from '../scanning/source.js'
import { downloadObject, getObjectBytes } from '../storage/objects.js'
import { scanFinished } from '../webhooks/emit.js'
import { type HeldMessage, keepAlive } from './keep-alive.js'
import {
  type KeptSource,
  keepForNextScan,
  type ReadInput,
  recallCleanBlobs,
  recallTrees,
  recallWalk,
  wholePack,
} from './kept.js'
import { progressOf } from './progress.js'
import { Scratch } from './scratch.js'

/** Runs a step of the scan and records its time under a phase name (the worker's log line, `phases_ms`). */
type Timed = <T>(phase: string, work: () => Promise<T>) => Promise<T>

/** The product's engines; a scan names which of them run. Advisories come from the imported store. */
export const engines: Engine[] = [secretsEngine, codeEngine, dependenciesEngine(dynamoAdvisorySource())]

export interface RunOptions {
  registry?: Engine[]
  /** The queue message, kept hidden while the scan runs (the worker handler passes its receipt); absent in tests. */
  message?: HeldMessage
  /**
   * Filled with the recorded findings' counts, each step's time and, for a thin push, where the kept pack
   * came from (for the worker's log line).
   */
  report?: {
    findings?: RecordedFindings
    phases_ms?: Record<string, number>
    kept?: Partial<Record<'pack' | 'walk' | 'trees', KeptSource>>
  }
}

export async function runScan(message: ScanMessage, log: RequestLog, options: RunOptions = {}): Promise<void> {
  const registry = options.registry ?? engines
  const scan = await getScan(message.scan_id)
  if (!scan) return log.warn('scan message for no scan', { scan_id: message.scan_id })
  if ((await startScan(scan.id)) !== 'started') {
    // A worker that died between finishing the scan and metering it (or telling webhooks) leaves that to
    // this one; the event of a scan is written once, so a scan already told is not told again.
    if (scan.status === 'succeeded' && scan.stats) await meterScan(scan, scan.stats)
    await scanFinished(scan)
    return log.info('scan already finished; message dropped', { scan_id: scan.id })
  }
  const scratch = new Scratch(scan.id)
  // Beating from the start, from another thread: a checkout of a large tree is synchronous and takes
  // longer than the silence the sweep allows.
  const cancelWatch = keepAlive(scan.id, options.message)
  const progress = progressOf(scan.id)
  // The last progress lands before the outcome: a finished scan's record tells every step it took.
  const finish: typeof settle = async (...outcome) => {
    await progress.settled()
    return settle(...outcome)
  }
  const started = performance.now()
  // Where the time went, for the worker's log line: the input (download, unpack, checkout, history), each
  // engine, and recording.
  const phases: Record<string, number> = {}
  if (options.report) options.report.phases_ms = phases
  const timed: Timed = async (phase, work) => {
    const from = performance.now()
    try {
      return await work()
    } finally {
      phases[phase] = Math.round(performance.now() - from)
    }
  }
  try {
    await appendEvent(scan.repository_id, 'scan.started', systemActor, { scan_id: scan.id })
    const repository = await getRepository(scan.repository_id)
    if (!repository) throw new GitError('missing_object', 'the repository was deleted while its scan waited')
    const deadline = Date.now() + config().SCAN_TIME_BUDGET_S * 1000
    const read = await timed('input', () =>
      prepare(scan, repository.default_branch, scratch, deadline, timed, options.report),
    )
    const { source } = read
    progress.input({ files: source.files.length, blobs: source.history.blobs.size, commits: source.commits })
    // The redaction hash of secrets (`[kind, N chars, #hash]`) is keyed per workspace by a key derived
    // from the deployment's signing secret: without it a hash of a short password cannot be brute-forced.
    ;(source as SecretsSource).redactionKey = await derivedKey(`secret-redaction:${scan.workspace_id}`)
    // A cancellation is read at each engine boundary and, while an engine runs, every few seconds, so a
    // long engine can stop between files; what a cancelled scan found is never recorded.
    const cancelled = () => cancelWatch.requested || isCancelRequested(scan.id)
    source.cancelled = () => cancelWatch.requested
    const found: EngineFinding[] = []
    const ran: string[] = []
    // The scan names which of the product's engines run; any other engine in the registry always runs.
    const chosen = registry.filter(
      (engine) => !(engineNames as readonly string[]).includes(engine.name) || scan.engines.includes(engine.name),
    )
    for (const engine of chosen) {
      if (Date.now() > deadline) throw new GitError('time_budget', 'the scan ran past its time budget')
      if (await cancelled()) return void (await finish(scan, { status: 'cancelled' }))
      progress.engineStarted(engine.name)
      const its = await timed(engine.name, () => engine.run(source))
      progress.engineDone(engine.name, its.length, phases[engine.name]!)
      found.push(...its)
      ran.push(engine.name)
    }
    // Past this claim a cancellation is refused: the scan records its findings and succeeds.
    if (cancelWatch.requested || !(await claimRecording(scan.id)))
      return void (await finish(scan, { status: 'cancelled' }))
    progress.recording()
    const findings = await timed('record', () =>
      recordFindings(scan, found, ran, { headPaths: new Set(source.files.map((file) => file.path)) }),
    )
    if (options.report) options.report.findings = findings
    // The packages this snapshot's lockfiles named: its SBOM, whatever the findings.
    const packages = source.used?.packages
    if (packages) await timed('inventory', () => putInventory(scan.id, packages))
    const stats = {
      files: source.files.length,
      bytes: source.bytes,
      commits: source.commits,
      duration_ms: Math.round(performance.now() - started),
      ...(source.used?.advisories ? { advisories: source.used.advisories } : {}),
      ...(source.reuse ? { reuse: source.reuse.figures } : {}),
    }
    const gate = await timed('gate', () => gateOf(scan))
    const figures = { ...stats, new_findings: findings.new }
    if (await finish(scan, { status: 'succeeded', stats, gate }, { stats, findings, gate: gate.verdict }, figures)) {
      await meterScan(scan, stats)
      await keepForNextScan(scan, read, log)
    }
  } catch (error) {
    // A bad input fails its scan with a code; anything else is thrown so the queue retries the message.
    if (!(error instanceof InputError)) throw error
    const failure = { code: error.code, message: error.message, retryable: false, details: {} }
    await finish(scan, { status: 'failed', error: failure }, { code: error.code })
  } finally {
    cancelWatch.stop()
    scratch.dispose()
  }
}

/**
 * Moves the scan to its final state, once: then counts it, marks it the repository's last scan and tells
 * the timeline. False when another worker (or a cancellation) settled it first.
 */
async function settle(
  scan: ScanRecord,
  outcome: Parameters<typeof finishScan>[1],
  eventData: Record<string, unknown> = {},
  figures?: ScanFigures,
): Promise<boolean> {
  if (!(await finishScan(scan, outcome))) return false
  recordScanOutcome(outcome.status, figures)
  await recordLastScan(scan.repository_id, {
    id: scan.id,
    status: outcome.status,
    finished_at: new Date().toISOString(),
  })
  await appendEvent(scan.repository_id, `scan.${outcome.status}`, systemActor, { scan_id: scan.id, ...eventData })
  await scanFinished((await getScan(scan.id)) ?? scan)
  return true
}

/**
 * The scan's input, from S3 into the scratch folder: a pushed pack, a bundle, or a legacy session's
 * archive. A pack or bundle is streamed to disk and read from there, never held whole.
 */
async function prepare(
  scan: ScanRecord,
  defaultBranch: string,
  scratch: Scratch,
  deadline: number,
  timed: Timed,
  report?: RunOptions['report'],
): Promise<ReadInput> {
  if (scan.input.kind === 'sarif') throw new InputError('bad_object', 'an imported SARIF log has nothing to scan again')
  if (scan.input.kind === 'archive') {
    const limits = config()
    const bytes = await getObjectBytes(scan.input.key)
    const source = await prepareArchiveSource(bytes, scan.input.format ?? 'tar.gz', scratch.tree, {
      maxInflatedBytes: limits.ARCHIVE_MAX_INFLATED_BYTES,
      maxEntries: limits.ARCHIVE_MAX_ENTRIES,
      maxRatio: limits.ARCHIVE_MAX_RATIO,
      deadline,
    })
    return { source, refs: [] }
  }
  const file = scratch.path(`input.${scan.input.kind}`)
  // What earlier scans of the repository found clean (a push that changed a few files reads those), and
  // the history walk and head trees of the push this one builds on (only newer commits are walked, only
  // changed trees read).
  const [found, reuse, { walk: walked, ...walk }, { trees, ...tree }] = await timed('input.download', () =>
    Promise.all([downloadObject(scan.input.key, file), recallCleanBlobs(scan), recallWalk(scan), recallTrees(scan)]),
  )
  const kept: NonNullable<NonNullable<RunOptions['report']>['kept']> = {}
  if (report) report.kept = kept
  if (walk.from) kept.walk = walk.from
  if (tree.from) kept.trees = tree.from
  // Thrown, not failed: the queue retries, as for any read of the bucket that did not answer.
  if (!found) throw new Error(`the scan's input ${scan.input.key} is not in the bucket`)
  const input = { path: file, etag: found.etag }
  const { pack, refs } =
    scan.input.kind === 'bundle' ? readBundleFile(file) : { pack: new FileBytes(file), refs: scan.input.refs ?? [] }
  scratch.opened(pack)
  try {
    const source = await timed('input.read', async () =>
      prepareSource(pack, refs, defaultBranch, scratch.tree, deadline, { reuse, walked, trees }),
    )
    return { source, refs, input }
  } catch (error) {
    // A thin pack: its deltas, trees or even its tips (a push of a commit Vega holds) are among the
    // objects the push was offered.
    const thin = error instanceof GitError && (error.code === 'missing_base' || error.code === 'missing_object')
    if (!(scan.input.base && thin)) throw error
  }
  scratch.clearTree()
  // The whole pack: joined (with this worker's copy of the kept pack, or its download), then read as any push.
  const whole = await timed('input.join', () => wholePack(scan, pack, scratch))
  kept.pack = whole.from
  const source = await timed('input.read_whole', async () =>
    prepareSource(whole.pack, refs, defaultBranch, scratch.tree, deadline, {
      reuse,
      known: whole.known,
      verified: true,
      walked,
      trees,
    }),
  )
  return { source, refs, input, whole: { pack: whole.pack, path: scratch.path('whole.pack') } }
}
