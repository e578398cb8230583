// What an operator is woken for, and the one page to look at. Alarms go to an SNS topic (e-mail when
// configured; anything else can subscribe: chat, paging). Each alarm is a few cents a month.
import { Duration, Validations } from 'aws-cdk-lib'
import type { RestApi } from 'aws-cdk-lib/aws-apigateway'
import {
  type Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch'
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions'
import { FilterPattern, type LogGroup } from 'aws-cdk-lib/aws-logs'
import { Topic } from 'aws-cdk-lib/aws-sns'
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions'
import { Construct } from 'constructs'
import type { StageSettings } from '../stages.js'
import type { Data } from './data.js'
import { metricsNamespace, type VegaFunction } from './vega-function.js'

export interface AlarmsProps {
  stage: StageSettings
  data: Data
  restApi: RestApi
  accessLogs: LogGroup
  apiFunctions: VegaFunction[]
  worker: VegaFunction
  cleanup: VegaFunction
  advisorySync: VegaFunction
  webhookWorker: VegaFunction
}

/** What the scan worker writes through Powertools (shared/metrics.ts): namespace Vega, dimension service. */
const scanMetric = (metricName: string, statistic: string) =>
  new Metric({
    namespace: metricsNamespace,
    metricName,
    dimensionsMap: { service: 'vega' },
    statistic,
    period: Duration.minutes(5),
  })

export class Alarms extends Construct {
  readonly topic: Topic
  readonly alarms: Alarm[] = []

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id)
    const { stage, data, restApi, worker } = props
    this.topic = new Topic(this, 'Topic', { displayName: `Vega ${stage.name} alarms`, enforceSSL: true })
    if (stage.alarmEmail) this.topic.addSubscription(new EmailSubscription(stage.alarmEmail))
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications carry alarm names and states, no customer data; encrypting them would need a customer-managed KMS key (CloudWatch cannot publish with the AWS-managed SNS key) at a monthly fee',
    })
    const action = new SnsAction(this.topic)
    const alarm = (name: string, make: (id: string) => Alarm) => {
      const created = make(name)
      created.addAlarmAction(action)
      created.addOkAction(action)
      this.alarms.push(created)
      return created
    }
    const fiveMinutes = Duration.minutes(5)

    alarm('DeadLettersWaiting', (id) =>
      data.scanDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes }).createAlarm(this, id, {
        alarmDescription: 'Scan messages failed three times and sit in the DLQ; the cleanup marks their scans failed',
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    )
    alarm('WorkerErrors', (id) =>
      worker.metricErrors({ period: fiveMinutes, statistic: 'Sum' }).createAlarm(this, id, {
        alarmDescription:
          'The scan worker crashed or timed out (a failed scan is recorded, not thrown: errors are bugs)',
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    )
    // A receiver's failure is recorded on its delivery, never thrown: a webhook message in the DLQ means the
    // worker itself failed it five times (the table or the queue), and its delivery waits as pending.
    alarm('WebhookDeadLetters', (id) =>
      data.webhookDeadLetterQueue
        .metricApproximateNumberOfMessagesVisible({ period: fiveMinutes })
        .createAlarm(this, id, {
          alarmDescription: 'Webhook delivery messages failed five times in the worker and sit in their DLQ',
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
    )
    // The schedule retries a failed sync twice; a day with errors left means advisories go stale.
    alarm('AdvisorySyncErrors', (id) =>
      props.advisorySync.metricErrors({ period: Duration.days(1), statistic: 'Sum' }).createAlarm(this, id, {
        alarmDescription:
          'The daily OSV advisory sync failed (its log names the ecosystems and why); findings use older advisory data',
        threshold: 3,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    )
    // A rate, and only with enough requests for one to mean something: two 500s out of three requests at
    // night are not an incident.
    const errorRate = new MathExpression({
      expression: 'IF(requests >= 20, 100 * errors / requests, 0)',
      usingMetrics: {
        errors: restApi.metricServerError({ period: fiveMinutes, statistic: 'Sum' }),
        requests: restApi.metricCount({ period: fiveMinutes, statistic: 'SampleCount' }),
      },
      label: '5xx %',
      period: fiveMinutes,
    })
    alarm('Api5xxRate', (id) =>
      errorRate.createAlarm(this, id, {
        alarmDescription: 'More than 1 % of API requests answered 5xx over 10 minutes',
        threshold: 1,
        evaluationPeriods: 2,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    )
    // Most routes answer in tens of milliseconds; a push or a cascade takes seconds; 5 s at p99 for
    // 15 minutes means something is slow for everyone.
    const p99 = restApi.metricLatency({ period: fiveMinutes, statistic: 'p99' })
    alarm('ApiLatencyP99', (id) =>
      p99.createAlarm(this, id, {
        alarmDescription: 'API p99 latency above 5 s for 15 minutes',
        threshold: 5000,
        evaluationPeriods: 3,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    )
    alarm('WorkerThrottles', (id) =>
      worker.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }).createAlarm(this, id, {
        alarmDescription: 'The worker hit its reserved concurrency; scans wait (and may reach the DLQ)',
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    )
    // The API functions share the account's unreserved concurrency; one metric for all of them (an alarm
    // per function would cost 12× as much). Deploy each stage in its own account, as AWS recommends: in a
    // shared one this also counts other applications' throttles.
    const lambdaThrottles = new Metric({
      namespace: 'AWS/Lambda',
      metricName: 'Throttles',
      statistic: 'Sum',
      period: fiveMinutes,
    })
    alarm('LambdaThrottles', (id) =>
      lambdaThrottles.createAlarm(this, id, {
        alarmDescription: 'Lambda throttled invocations in this account and region (API answers 503)',
        threshold: 5,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    )
    // REST APIs publish no throttle metric of their own; the access log names the gateway error type.
    const apiThrottled = props.accessLogs
      .addMetricFilter('ThrottledRequests', {
        filterPattern: FilterPattern.stringValue('$.error', '=', 'THROTTLED'),
        metricNamespace: `Vega/${stage.name}`,
        metricName: 'ApiThrottled',
        metricValue: '1',
        defaultValue: 0,
      })
      .metric({ period: fiveMinutes, statistic: 'Sum' })
    alarm('ApiThrottles', (id) =>
      apiThrottled.createAlarm(this, id, {
        alarmDescription: 'The stage throttled requests (429 rate_limited) in two periods of 5 minutes out of three',
        threshold: 10,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    )

    const functions = [...props.apiFunctions, worker, props.cleanup, props.advisorySync, props.webhookWorker]
    new Dashboard(this, 'Dashboard', {
      dashboardName: `vega-${stage.name}`,
      defaultInterval: Duration.hours(6),
      widgets: [
        [
          new TextWidget({
            markdown: `# Vega ${stage.name}\nAPI, functions, the scan pipeline.`,
            width: 24,
            height: 2,
          }),
        ],
        [
          new GraphWidget({
            title: 'API requests and errors',
            left: [
              restApi.metricCount({ statistic: 'Sum' }),
              restApi.metricClientError({ statistic: 'Sum' }),
              restApi.metricServerError({ statistic: 'Sum' }),
            ],
            width: 8,
          }),
          new GraphWidget({
            title: 'API latency',
            left: [
              restApi.metricLatency({ statistic: 'p50' }),
              p99,
              restApi.metricIntegrationLatency({ statistic: 'p99' }),
            ],
            right: [apiThrottled],
            width: 8,
          }),
          new GraphWidget({ title: 'API 5xx %', left: [errorRate], width: 8 }),
        ],
        [
          new GraphWidget({
            title: 'Function errors',
            left: functions.map((fn) => fn.metricErrors({ statistic: 'Sum', label: fn.functionLabel })),
            width: 12,
          }),
          new GraphWidget({
            title: 'Function duration p99',
            left: functions.map((fn) => fn.metricDuration({ statistic: 'p99', label: fn.functionLabel })),
            width: 12,
          }),
        ],
        [
          new GraphWidget({
            title: 'Scan queue',
            left: [
              data.scanQueue.metricApproximateNumberOfMessagesVisible({ label: 'waiting' }),
              data.scanQueue.metricApproximateNumberOfMessagesNotVisible({ label: 'in flight' }),
              data.scanDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ label: 'dead letters' }),
            ],
            right: [data.scanQueue.metricApproximateAgeOfOldestMessage({ label: 'oldest (s)' })],
            width: 12,
          }),
          new GraphWidget({
            title: 'Worker',
            left: [
              worker.metricInvocations({ statistic: 'Sum' }),
              worker.metricErrors({ statistic: 'Sum' }),
              worker.metricThrottles({ statistic: 'Sum' }),
            ],
            right: [worker.metric('ConcurrentExecutions', { statistic: 'Maximum' })],
            width: 12,
          }),
        ],
        [
          new GraphWidget({
            title: "Scans (the worker's metrics)",
            left: ['ScansSucceeded', 'ScansFailed', 'ScansCancelled', 'NewFindings'].map((name) =>
              scanMetric(name, 'Sum'),
            ),
            right: [scanMetric('ScanDuration', 'p99')],
            width: 24,
          }),
        ],
      ],
    })
  }
}
