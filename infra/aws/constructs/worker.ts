// The scan worker (SQS → Lambda with partial batch failures, sized for the largest input it takes) and
// the scheduled cleanup that looks after what the worker could not finish.
import { Duration, Size } from 'aws-cdk-lib'
import { Rule, Schedule } from 'aws-cdk-lib/aws-events'
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets'
import { Architecture } from 'aws-cdk-lib/aws-lambda'
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources'
import { Construct } from 'constructs'
import { scanQueue, webhookQueue, webhookWorkerTimeoutS, workerTimeoutS } from '../../../shared/queue/queues.js'
import { type AccessTargets, access } from '../access.js'
import type { StageSettings } from '../stages.js'
import { type FunctionEnvironment, type ShippedPackage, VegaFunction } from './vega-function.js'

/**
 * The code engine's native addon and its grammars: esbuild cannot inline `.node`/`.so` files, so they ship
 * as packages. Only the linux-x64-gnu build of the addon is installed here, hence an x86_64 worker; the
 * grammars keep only their Linux x64 prebuild (their tree-sitter sources are 8 MB we never load).
 */
const grammar = (name: string): ShippedPackage => ({
  name,
  paths: ['package.json', 'index.js', 'prebuilds/prebuild-Linux-X64'],
})
export const astGrepPackages: ShippedPackage[] = [
  { name: '@ast-grep/napi' },
  { name: '@ast-grep/napi-linux-x64-gnu' },
  { name: '@ast-grep/setup-lang' },
  grammar('@ast-grep/lang-python'),
  grammar('@ast-grep/lang-go'),
  grammar('@ast-grep/lang-java'),
]

/** 4 GiB of /tmp: a bundle of up to BUNDLE_MAX_BYTES (1 GiB), its unpacked objects and the checked-out tree. */
export const workerEphemeralStorage = Size.gibibytes(4)

export interface WorkerProps {
  stage: StageSettings
  targets: AccessTargets
  environment: FunctionEnvironment
}

export class Worker extends Construct {
  readonly function: VegaFunction
  readonly cleanup: VegaFunction
  readonly schedule: Rule
  readonly advisorySync: VegaFunction
  readonly advisorySchedule: Rule
  readonly webhookWorker: VegaFunction

  constructor(scope: Construct, id: string, props: WorkerProps) {
    super(scope, id)
    const { stage, targets } = props
    this.function = new VegaFunction(this, 'ScanWorkerFunction', {
      name: 'scan-worker',
      stage,
      environment: props.environment,
      access: access['scan-worker'],
      targets,
      // Chosen from the measured curve (`npm run bench -- cores`, docs/decisions.md "The worker's memory"):
      // two whole vCPUs (2 × 1,769 MB) make the engines 1.91× faster than one for twice the price a second,
      // about what a scan cost at 2,048 MB (1.16 vCPU) for a wait about 40 % shorter; the ~1 GB repository
      // peaks at 1.3 GB.
      memoryMb: 3538,
      // SCAN_TIME_BUDGET_S (300 s) for the scan itself, plus a minute to record the outcome.
      timeout: Duration.seconds(workerTimeoutS),
      architecture: Architecture.X86_64,
      shippedPackages: astGrepPackages,
      ephemeralStorage: workerEphemeralStorage,
      // Many workspaces scanning at once must not starve the API functions of the account's concurrency.
      reservedConcurrency: stage.workerConcurrency,
    })
    this.function.addEventSource(
      new SqsEventSource(targets.data.scanQueue, {
        batchSize: scanQueue.batchSize,
        reportBatchItemFailures: true,
        // At most the reserved concurrency, so the poller is never throttled (throttled receives count
        // towards maxReceiveCount and would push healthy scans into the DLQ). SQS's minimum is 2.
        maxConcurrency: Math.max(2, stage.workerConcurrency),
      }),
    )

    // Scans whose messages died in the DLQ become failed and retryable; scans stuck past their deadline
    // are re-queued. Small work over one index.
    this.cleanup = new VegaFunction(this, 'CleanupFunction', {
      name: 'cleanup',
      stage,
      environment: props.environment,
      access: access.cleanup,
      targets,
      memoryMb: 256,
      // Drains at most 100 dead letters per run, each a few table writes; done before the next run starts.
      timeout: Duration.seconds(55),
    })
    // Every minute: a scan whose worker died (30 s without a heartbeat) runs again within 90 s.
    this.schedule = new Rule(this, 'EveryMinute', {
      description: 'Vega: drain the scan DLQ and re-queue stuck scans',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(this.cleanup, { retryAttempts: 2 })],
    })

    // The advisory store kept current from OSV's export: only what changed since yesterday, but a first
    // run (or one after a long gap) imports whole ecosystems (npm's all.zip is a few hundred MB).
    this.advisorySync = new VegaFunction(this, 'AdvisorySyncFunction', {
      name: 'advisory-sync',
      stage,
      environment: props.environment,
      access: access['advisory-sync'],
      targets,
      memoryMb: 1024,
      timeout: Duration.minutes(15),
      ephemeralStorage: Size.gibibytes(2),
    })
    // Webhook deliveries (#19): small work, mostly waiting on receivers, each attempt within
    // WEBHOOK_TIMEOUT_MS. Not in a VPC: it reaches the internet and nothing private, and the address
    // checks refuse loopback (the Lambda runtime API) and link-local names anyway.
    this.webhookWorker = new VegaFunction(this, 'WebhookWorkerFunction', {
      name: 'webhook-worker',
      stage,
      environment: props.environment,
      access: access['webhook-worker'],
      targets,
      memoryMb: 256,
      timeout: Duration.seconds(webhookWorkerTimeoutS),
    })
    this.webhookWorker.addEventSource(
      new SqsEventSource(targets.data.webhookQueue, {
        batchSize: webhookQueue.batchSize,
        reportBatchItemFailures: true,
        maxConcurrency: Math.max(2, stage.webhookConcurrency),
      }),
    )

    this.advisorySchedule = new Rule(this, 'Daily', {
      description: 'Vega: sync OSV advisories (what changed since the last sync)',
      schedule: Schedule.rate(Duration.days(1)),
      targets: [new LambdaFunction(this.advisorySync, { retryAttempts: 2 })],
    })
  }
}
