// The scan worker (SQS → Lambda with partial batch failures, sized for the largest input it takes) and
// the scheduled cleanup that looks after what the worker could not finish.
import { Duration, Size } from 'aws-cdk-lib'
import { Rule, Schedule } from 'aws-cdk-lib/aws-events'
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets'
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources'
import { Construct } from 'constructs'
import { workerTimeoutS } from '../../../shared/queue/queues.js'
import type { StageSettings } from '../stages.js'
import type { Data } from './data.js'
import { type FunctionEnvironment, VegaFunction } from './vega-function.js'

export interface WorkerProps {
  stage: StageSettings
  data: Data
  environment: FunctionEnvironment
}

export class Worker extends Construct {
  readonly function: VegaFunction
  readonly cleanup: VegaFunction

  constructor(scope: Construct, id: string, props: WorkerProps) {
    super(scope, id)
    this.function = new VegaFunction(this, 'ScanWorkerFunction', {
      name: 'scan-worker',
      stage: props.stage,
      environment: props.environment,
      // The 43 MB benchmark pack peaks near 360 MB; 2 GB also buys the CPU share that inflating wants.
      memoryMb: 2048,
      timeout: Duration.seconds(workerTimeoutS),
      // A 1 GiB bundle, its checkout and the history's blobs need more than the default 512 MB of /tmp.
      ephemeralStorage: Size.gibibytes(4),
      // Scans of many workspaces at once must not starve the API functions of account concurrency.
      reservedConcurrency: 10,
    })
    this.function.addEventSource(
      new SqsEventSource(props.data.scanQueue, {
        batchSize: 5,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        maxConcurrency: 10,
      }),
    )
    props.data.table.grantReadWriteData(this.function)
    props.data.bucket.grantRead(this.function)

    // The scheduled cleanup: scans whose messages died in the DLQ become failed and retryable.
    this.cleanup = new VegaFunction(this, 'CleanupFunction', {
      name: 'cleanup',
      stage: props.stage,
      environment: props.environment,
      memoryMb: 256,
      timeout: Duration.minutes(2),
    })
    new Rule(this, 'EveryFiveMinutes', {
      schedule: Schedule.rate(Duration.minutes(5)),
      targets: [new LambdaFunction(this.cleanup)],
    })
    props.data.table.grantReadWriteData(this.cleanup)
    props.data.scanDeadLetterQueue.grantConsumeMessages(this.cleanup)
  }
}
