// One stage of Vega: the stateful resources and the API over them.
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib'
import { Secret } from 'aws-cdk-lib/aws-secretsmanager'
import type { Construct } from 'constructs'
import { Api } from './constructs/api.js'
import { Data } from './constructs/data.js'
import { Worker } from './constructs/worker.js'
import type { StageSettings } from './stages.js'

export interface VegaStackProps extends StackProps {
  stage: StageSettings
}

export class VegaStack extends Stack {
  constructor(scope: Construct, id: string, props: VegaStackProps) {
    super(scope, id, props)
    const { stage } = props
    const data = new Data(this, 'Data', stage)
    // Signs access tokens and list cursors; 64 characters of letters and digits (~380 bits).
    const signingSecret = new Secret(this, 'JwtSigningKey', {
      description: 'Vega: signs access tokens and list cursors',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: stage.removalPolicy,
    })
    const api = new Api(this, 'Api', {
      stage,
      data,
      environment: {
        TABLE_NAME: data.table.tableName,
        UPLOADS_BUCKET: data.bucket.bucketName,
        SCAN_QUEUE_URL: data.scanQueue.queueUrl,
        SCAN_DLQ_URL: data.scanDeadLetterQueue.queueUrl,
        PUBLIC_BASE_URL: `https://${stage.domainName}`,
        JWT_SECRET_ARN: signingSecret.secretArn,
      },
    })
    // TODO(#10): least privilege per group from declared access; until then each group reads and writes
    // the table, and health can also describe the bucket and queue it checks.
    for (const fn of Object.values(api.functions)) {
      data.table.grantReadWriteData(fn)
      signingSecret.grantRead(fn)
    }
    data.table.grant(api.functions.health, 'dynamodb:DescribeTable')
    data.bucket.grantRead(api.functions.health)
    data.scanQueue.grant(api.functions.health, 'sqs:GetQueueAttributes')

    new Worker(this, 'Worker', { stage, data, environment: api.environment })

    new CfnOutput(this, 'ApiUrl', { value: api.restApi.url })
  }
}
