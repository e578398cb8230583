// One scan, from its queue message to its final state. Runs at least once, takes effect once: the
// state moves only through conditional transitions, a finished scan is never run again, and a worker
// that dies mid-scan is replaced by a redelivery that starts over from the stored input.
import { meterScan } from '../billing/meter.js'
import { config } from '../config.js'
import { derivedKey } from '../crypto/secret.js'
import { dynamoAdvisorySource } from '../data/advisory-lookup.js'
import { appendEvent, systemActor } from '../data/append-event.js'
import { putInventory } from '../data/inventories.js'
import { getRepository, recordLastScan } from '../data/repositories.js'
import {
  claimRecording,
  finishScan,
  getScan,
  isCancelRequested,
  markShardDone,
  type ScanRecord,
  shardScan,
  shardsDone,
  startScan,
} from '../data/scans.js'
import { InputError } from '../errors.js'
import { gateOf } from '../findings/gate.js'
import { type RecordedFindings, recordFindings } from '../findings/record.js'
import { readBundleFile } from '../git/bundle.js'
import { GitError } from '../git/errors.js'
import { loadIndex } from '../git/pack.js'
import { FileBytes } from '../git/pack-bytes.js'
import type { RequestLog } from '../log.js'
import { recordScanOutcome, type ScanFigures } from '../metrics.js'
import { enqueueShards, type ScanMessage } from '../queue/scans.js'
import { type Engine, type EngineFinding, engineNames, type Shard } from '../scanning/engine.js'
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
import {
  forgetShardResults,
  loadShardResult,
  mergeShards,
  partOf,
  recallShardInput,
  type ShardInput,
  type ShardResult,
  saveShardInput,
  saveShardResult,
  shardIndexes,
  shardsFor,
} from './shards.js'

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
  const scan = await getScan(message.scan_id)
  if (!scan) return log.warn('scan message for no scan', { scan_id: message.scan_id })
  if (message.shard) {
    // A shard runs while its scan does, once: a finished scan, or a shard done, drops the message.
    if (scan.status !== 'running') return log.info('shard of a scan no longer running; message dropped', message)
    if ((await shardsDone(scan.id)).has(message.shard.index))
      return log.info('shard already done; message dropped', message)
  } else if ((await startScan(scan.id)) !== 'started') {
    // A worker that died between finishing the scan and metering it (or telling webhooks) leaves that to
    // this one; the event of a scan is written once, so a scan already told is not told again.
    if (scan.status === 'succeeded' && scan.stats) await meterScan(scan, scan.stats)
    await scanFinished(scan)
    return log.info('scan already finished; message dropped', { scan_id: scan.id })
  }
  const run = new ScanRun(scan, log, options)
  try {
    await run.run(message.shard)
  } catch (error) {
    // A bad input fails its scan with a code; anything else is thrown so the queue retries the message.
    if (!(error instanceof InputError)) throw error
    const failure = { code: error.code, message: error.message, retryable: false, details: {} }
    await run.finish({ status: 'failed', error: failure }, { code: error.code })
  } finally {
    run.dispose()
  }
}

/** One invocation's work on a scan: the whole scan, or one shard of it and perhaps the merge. */
class ScanRun {
  readonly registry: Engine[]
  readonly scratch: Scratch
  /** Beating from the start, from another thread: a checkout of a large tree is synchronous and takes
   * longer than the silence the sweep allows. */
  readonly cancelWatch: ReturnType<typeof keepAlive>
  readonly progress: ReturnType<typeof progressOf>
  readonly started = performance.now()
  /** Where the time went, for the worker's log line: the input (download, unpack, checkout, history),
   * each engine, and recording. */
  readonly phases: Record<string, number> = {}
  /** Set when an engine failed: the others stop between files. */
  failed = false
  /** The time budget applies to each invocation: to the whole scan, or to one shard of it. */
  readonly deadline = Date.now() + config().SCAN_TIME_BUDGET_S * 1000

  constructor(
    readonly scan: ScanRecord,
    readonly log: RequestLog,
    readonly options: RunOptions,
  ) {
    this.registry = options.registry ?? engines
    this.scratch = new Scratch(scan.id)
    this.cancelWatch = keepAlive(scan.id, options.message)
    this.progress = progressOf(scan.id)
    if (options.report) options.report.phases_ms = this.phases
  }

  readonly timed: Timed = async (phase, work) => {
    const from = performance.now()
    try {
      return await work()
    } finally {
      this.phases[phase] = Math.round(performance.now() - from)
    }
  }

  /** A cancellation is read before the engines start and, while they run, every few seconds. */
  cancelled = () => this.cancelWatch.requested || isCancelRequested(this.scan.id)

  /** The scan names which of the product's engines run; any other engine in the registry always runs. */
  get chosen(): Engine[] {
    return this.registry.filter(
      (engine) => !(engineNames as readonly string[]).includes(engine.name) || this.scan.engines.includes(engine.name),
    )
  }

  async run(shard?: Shard): Promise<void> {
    const { scan } = this
    if (!shard) await appendEvent(scan.repository_id, 'scan.started', systemActor, { scan_id: scan.id })
    const repository = await getRepository(scan.repository_id)
    if (!repository) throw new GitError('missing_object', 'the repository was deleted while its scan waited')
    // A shard other than the first takes the pack's index and the history walk the first one kept.
    const given = shard ? await recallShardInput(scan) : undefined
    const read = await this.timed('input', () =>
      prepare(scan, repository.default_branch, this.scratch, this.deadline, this.timed, this.options.report, {
        ...given,
        shard,
      }),
    )
    const { source } = read
    // The redaction hash of secrets (`[kind, N chars, #hash]`) is keyed per workspace by a key derived
    // from the deployment's signing secret: without it a hash of a short password cannot be brute-forced.
    ;(source as SecretsSource).redactionKey = await derivedKey(`secret-redaction:${scan.workspace_id}`)
    // What a cancelled scan found is never recorded; a long engine stops between files.
    source.cancelled = () => this.cancelWatch.requested || this.failed
    if (shard) return this.runShard(read, shard)

    const count = scan.shards ?? shardsFor(source)
    if (count > 1) {
      this.progress.input(inputFigures(source, count))
      if (!(await shardScan(scan.id, count))) return
      const done = await shardsDone(scan.id)
      // Queued again after a merge died (the sweep): every shard is done, the merge is what is left.
      if (done.size === count) return this.merge(read, count)
      await this.timed('shard.input', () => saveShardInput(scan, source))
      await enqueueShards(scan.id, count, done)
      return this.runShard(read, { index: 0, count }, done.has(0))
    }
    this.progress.input(inputFigures(source))
    if (await this.stopsBefore()) return
    const found = await this.everyEngine(
      (engine) => engine.run(source),
      (engine, its) => this.progress.engineDone(engine.name, its.length, this.phases[engine.name]!),
    )
    await this.record(
      read,
      found.flat(),
      this.chosen.map((engine) => engine.name),
    )
  }

  /**
   * Every chosen engine at once: the secrets engine's reader threads, ast-grep's Rust threads and the
   * main thread between them keep every core busy, where one engine after another left cores idle. The
   * first failure stops the others (they see a cancellation between files) and is thrown once all have
   * stopped; past the time budget, the scan fails.
   */
  private async everyEngine<T>(work: (engine: Engine) => Promise<T>, done?: (engine: Engine, result: T) => void) {
    const chosen = this.chosen
    // A shard's engines answer parts, not findings: the push is told the shards, not their engines.
    if (done) for (const engine of chosen) this.progress.engineStarted(engine.name)
    const outcomes = await Promise.allSettled(
      chosen.map(async (engine) => {
        try {
          const result = await this.timed(engine.name, () => work(engine))
          done?.(engine, result)
          return result
        } catch (error) {
          this.failed = true
          throw error
        }
      }),
    )
    const failure = outcomes.find((outcome) => outcome.status === 'rejected')
    if (failure) throw failure.reason
    if (Date.now() > this.deadline) throw new GitError('time_budget', 'the scan ran past its time budget')
    return outcomes.map((outcome) => (outcome as PromiseFulfilledResult<T>).value)
  }

  /** True when the scan was cancelled (and is now settled so); throws past the time budget. */
  private async stopsBefore(): Promise<boolean> {
    if (Date.now() > this.deadline) throw new GitError('time_budget', 'the scan ran past its time budget')
    if (await this.cancelled()) {
      await this.finish({ status: 'cancelled' })
      return true
    }
    return false
  }

  /**
   * One shard: every engine over its share, the result kept; then the mark, and the merge if this shard
   * completed the set. A shard whose result was kept by an earlier run is only marked.
   */
  private async runShard(read: ReadInput, shard: Shard, kept = false): Promise<void> {
    let result: ShardResult | undefined
    if (!kept) {
      if (await this.stopsBefore()) return
      const answers = await this.everyEngine((engine) => partOf(engine, read.source, shard))
      const parts = Object.fromEntries(this.chosen.map((engine, at) => [engine.name, answers[at]]))
      result = {
        parts,
        learnt: read.source.reuse?.learnt(),
        used: shard.index === 0 ? read.source.used : undefined,
        ms: Math.round(performance.now() - this.started),
      }
      await this.timed('shard.save', () => saveShardResult(this.scan, shard.index, result!))
    }
    const before = await markShardDone(this.scan.id, shard.index)
    if (!before || before.has(shard.index) || before.size + 1 < shard.count) return
    await this.merge(read, shard.count, result && { index: shard.index, result })
  }

  /** Every shard's result made the scan's findings, then recorded as any scan's. */
  private async merge(read: ReadInput, count: number, own?: { index: number; result: ShardResult }): Promise<void> {
    const results = await this.timed('shard.load', () =>
      Promise.all(
        shardIndexes(count).map((index) => (index === own?.index ? own.result : loadShardResult(this.scan, index))),
      ),
    )
    this.progress.input(inputFigures(read.source, count))
    const chosen = this.chosen
    const found = await this.timed('merge', () => mergeShards(chosen, read.source, results, own?.result))
    // Metered: every shard's invocation, this one's whole (its own part included).
    const others = results.reduce((sum, result) => sum + (result === own?.result ? 0 : (result.ms ?? 0)), 0)
    await this.record(
      read,
      found,
      chosen.map((engine) => engine.name),
      {
        count,
        billedMs: () => others + Math.round(performance.now() - this.started),
      },
    )
    await forgetShardResults(this.scan).catch((error) =>
      this.log.warn("a sharded scan's shard results were not deleted", { scan_id: this.scan.id, error: String(error) }),
    )
  }

  /** The point of no return, then the findings, the SBOM, the outcome, the meter, what is kept. */
  private async record(
    read: ReadInput,
    found: EngineFinding[],
    ran: string[],
    sharded?: { count: number; billedMs: () => number },
  ): Promise<void> {
    const shards = sharded?.count
    const { scan, options } = this
    const { source } = read
    // Past this claim a cancellation is refused: the scan records its findings and succeeds.
    if (this.cancelWatch.requested || !(await claimRecording(scan.id)))
      return void (await this.finish({ status: 'cancelled' }))
    this.progress.recording()
    const findings = await this.timed('record', () =>
      recordFindings(scan, found, ran, { headPaths: new Set(source.files.map((file) => file.path)) }),
    )
    if (options.report) options.report.findings = findings
    // The packages this snapshot's lockfiles named: its SBOM, whatever the findings.
    const packages = source.used?.packages
    if (packages) await this.timed('inventory', () => putInventory(scan.id, packages))
    // A sharded scan began in another invocation: its duration counts from the scan's start.
    const since = shards && scan.started_at ? Date.parse(scan.started_at) : undefined
    const stats = {
      files: source.files.length,
      bytes: source.bytes,
      commits: source.commits,
      duration_ms: since ? Date.now() - since : Math.round(performance.now() - this.started),
      ...(source.used?.advisories ? { advisories: source.used.advisories } : {}),
      ...(source.reuse ? { reuse: source.reuse.figures } : {}),
      ...(shards ? { shards } : {}),
    }
    const gate = await this.timed('gate', () => gateOf(scan))
    const figures = { ...stats, new_findings: findings.new }
    if (await this.finish({ status: 'succeeded', stats, gate }, { stats, findings, gate: gate.verdict }, figures)) {
      await meterScan(scan, sharded ? { ...stats, duration_ms: sharded.billedMs() } : stats)
      await keepForNextScan(scan, read, this.log)
    }
  }

  /** The last progress lands before the outcome: a finished scan's record tells every step it took. */
  async finish(...outcome: Parameters<typeof settle> extends [ScanRecord, ...infer Rest] ? Rest : never) {
    await this.progress.settled()
    return settle(this.scan, ...outcome)
  }

  dispose(): void {
    this.cancelWatch.stop()
    this.scratch.dispose()
  }
}

const inputFigures = (source: ReadInput['source'], shards?: number) => ({
  files: source.files.length,
  blobs: source.history.blobs.size,
  commits: source.commits,
  ...(shards ? { shards } : {}),
})

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
  given: ShardInput & { shard?: Shard } = {},
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
  // changed trees read); a shard other than the first, the walk the first one kept.
  const [found, reuse, { walk: walked, ...walk }, { trees, ...tree }] = await timed('input.download', () =>
    Promise.all([
      downloadObject(scan.input.key, file),
      recallCleanBlobs(scan),
      given.walk ? { walk: given.walk, from: undefined } : recallWalk(scan),
      recallTrees(scan),
    ]),
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
    const known = given.index && loadIndex(pack, given.index)
    const source = await timed('input.read', async () =>
      prepareSource(pack, refs, defaultBranch, scratch.tree, deadline, {
        reuse,
        walked,
        trees,
        known,
        shard: given.shard,
        writer: scratch.writer,
      }),
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
      writer: scratch.writer,
    }),
  )
  return {
    source,
    refs,
    input,
    whole: { pack: whole.pack, path: scratch.path('whole.pack'), partBytes: whole.partBytes },
  }
}
