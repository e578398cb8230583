// One stage of Vega: the stateful resources, the API and its functions, the worker and its schedule,
// the signing secret, alarms and a dashboard.
import { CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib'
import { Secret } from 'aws-cdk-lib/aws-secretsmanager'
import type { Construct } from 'constructs'
import { uploadsObjectsFinding } from './access.js'
import { Alarms } from './constructs/alarms.js'
import { Api } from './constructs/api.js'
import { Data } from './constructs/data.js'
import type { VegaFunction } from './constructs/vega-function.js'
import { Worker } from './constructs/worker.js'
import type { StageSettings } from './stages.js'

export interface VegaStackProps extends StackProps {
  stage: StageSettings
}

export class VegaStack extends Stack {
  readonly data: Data
  readonly api: Api
  readonly worker: Worker
  readonly alarms: Alarms
  readonly signingSecret: Secret

  constructor(scope: Construct, id: string, props: VegaStackProps) {
    super(scope, id, { ...props, terminationProtection: props.stage.name === 'prod' })
    const { stage } = props
    this.data = new Data(this, 'Data', stage)
    // Signs access tokens and list cursors: 64 letters and digits (~380 bits), never in the template.
    this.signingSecret = new Secret(this, 'JwtSigningKey', {
      description: `Vega ${stage.name}: signs access tokens and list cursors`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: stage.removalPolicy,
    })
    Validations.of(this.signingSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotated by an operator, not on a schedule (docs/deploy.md "Rotating the signing key"): functions read the key once per cold start and verify with it alone, so a scheduled rotation would end every session and invalidate every list cursor at a random time',
    })
    const targets = { data: this.data, signingSecretArn: this.signingSecret.secretArn }
    const environment = {
      TABLE_NAME: this.data.table.tableName,
      UPLOADS_BUCKET: this.data.bucket.bucketName,
      SCAN_QUEUE_URL: this.data.scanQueue.queueUrl,
      SCAN_DLQ_URL: this.data.scanDeadLetterQueue.queueUrl,
      WEBHOOK_QUEUE_URL: this.data.webhookQueue.queueUrl,
      JWT_SECRET_ARN: this.signingSecret.secretArn,
      CORS_ALLOWED_ORIGINS: stage.dashboardOrigins.join(','),
    }
    this.api = new Api(this, 'Api', { stage, targets, environment })
    this.worker = new Worker(this, 'Worker', { stage, targets, environment: this.api.environment })
    this.alarms = new Alarms(this, 'Alarms', {
      stage,
      data: this.data,
      restApi: this.api.restApi,
      accessLogs: this.api.accessLogs,
      apiFunctions: [...Object.values(this.api.functions), ...Object.values(this.api.streamingFunctions)],
      worker: this.worker.function,
      cleanup: this.worker.cleanup,
      advisorySync: this.worker.advisorySync,
      webhookWorker: this.worker.webhookWorker,
    })

    for (const fn of this.functions()) {
      if (fn.declaredAccess.uploads?.some((level) => level !== 'head')) {
        Validations.of(fn.role!).acknowledge({
          id: uploadsObjectsFinding(this.data),
          reason:
            'Object actions on uploads/* only: the keys under it are per workspace, repository and upload, made at run time',
        })
      }
    }

    new CfnOutput(this, 'ApiUrl', { value: `${this.api.baseUrl}/v1`, description: 'Base URL of the API' })
    if (this.api.restApi.domainName) {
      new CfnOutput(this, 'ApiDomainTarget', {
        value: this.api.restApi.domainName.domainNameAliasDomainName,
        description: `Point ${stage.domainName} here (CNAME or alias) if Route 53 is not managed by this stack`,
      })
    }
    new CfnOutput(this, 'TableName', {
      value: this.data.table.tableName,
      description: 'TABLE_NAME for npm run admin -- create-user',
    })
    new CfnOutput(this, 'UploadsBucket', { value: this.data.bucket.bucketName })
    new CfnOutput(this, 'ScanQueueUrl', { value: this.data.scanQueue.queueUrl })
    new CfnOutput(this, 'SigningSecretArn', { value: this.signingSecret.secretArn })
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarms.topic.topicArn,
      description: 'Subscribe to receive alarms',
    })
  }

  /** Every function of the stage, by its folder under functions/. */
  functions(): VegaFunction[] {
    return [
      ...Object.values(this.api.functions),
      ...Object.values(this.api.streamingFunctions),
      this.worker.function,
      this.worker.cleanup,
      this.worker.advisorySync,
      this.worker.webhookWorker,
    ]
  }
}
