import { App } from 'aws-cdk-lib'
import { Match, Template } from 'aws-cdk-lib/assertions'
import { describe, expect, it } from 'vitest'
import { buildApp } from '../../infra/aws/app.js'
import { configNames } from '../../shared/config.js'
import { table } from '../../shared/data/table.js'
import { scanQueue } from '../../shared/queue/queues.js'
import { routeTable } from '../../shared/routes/index.js'
import { groups, type RouteSpec } from '../../shared/routes/route.js'

// Bundling is esbuild per function (~1 s each); the template is the same without it.
function synth(stage: 'dev' | 'prod') {
  const app = buildApp(new App({ context: { stage, 'aws:cdk:bundling-stacks': [] } }))
  return Template.fromStack(app.node.findChild(`vega-${stage}`) as never)
}

const dev = synth('dev')
const prod = synth('prod')
const specs = Object.entries(routeTable) as [string, RouteSpec][]
type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string }

describe('the API', () => {
  const methods = Object.values(dev.findResources('AWS::ApiGateway::Method') as Record<string, Resource>)

  it('has exactly one method per route of the table, named by its operation id', () => {
    const named = methods.filter((m) => m.Properties.HttpMethod !== 'ANY')

    expect(named.map((m) => `${m.Properties.HttpMethod} ${m.Properties.OperationName}`).sort()).toEqual(
      specs.map(([id, spec]) => `${spec.method} ${id}`).sort(),
    )
  })

  it("integrates each route with its group's function by Lambda proxy", () => {
    const functionOf = (method: Resource) =>
      JSON.stringify(method.Properties.Integration.Uri).match(/"Api(\w+?)Function\w*"/)?.[1]
    const pascal = (group: string) => group.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())

    for (const method of methods.filter((m) => m.Properties.HttpMethod !== 'ANY')) {
      const spec = routeTable[method.Properties.OperationName as keyof typeof routeTable]
      expect(method.Properties.Integration.Type).toBe('AWS_PROXY')
      expect(functionOf(method), method.Properties.OperationName).toBe(pascal(spec.group))
    }
  })

  it('routes any other method of a known path to its group, which answers 405', () => {
    const paths = new Set(specs.map(([, spec]) => spec.path))

    expect(methods.filter((m) => m.Properties.HttpMethod === 'ANY')).toHaveLength(paths.size)
  })

  it('passes every body through as binary, for the git protocol and JSON alike', () => {
    dev.hasResourceProperties('AWS::ApiGateway::RestApi', { BinaryMediaTypes: ['*/*'] })
  })

  it('renders gateway errors as the envelope, an unknown route as 404 not_found', () => {
    dev.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'MISSING_AUTHENTICATION_TOKEN',
      StatusCode: '404',
      ResponseTemplates: {
        'application/json': Match.stringLikeRegexp('"code":"not_found".*"request_id":"\\$context.requestId"'),
      },
    })
    for (const type of ['THROTTLED', 'REQUEST_TOO_LARGE', 'INTEGRATION_TIMEOUT', 'DEFAULT_4XX', 'DEFAULT_5XX']) {
      dev.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: type })
    }
  })

  it('writes JSON access logs carrying the request id, and throttles the stage', () => {
    dev.hasResourceProperties('AWS::ApiGateway::Stage', {
      AccessLogSetting: { Format: Match.stringLikeRegexp('"request_id":"\\$context.requestId"') },
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 })],
    })
  })
})

describe('the functions', () => {
  it('runs one Node 24 arm64 function per endpoint group, the scan worker and the cleanup', () => {
    const functions = { Runtime: 'nodejs24.x', Architectures: ['arm64'] }
    dev.resourcePropertiesCountIs('AWS::Lambda::Function', functions, groups.length + 2)
  })

  it('runs the cleanup on a schedule', () => {
    dev.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' })
  })

  it('feeds the worker from the scan queue with partial batch failures, bounded concurrency and room in /tmp', () => {
    dev.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 10 },
    })
    dev.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 10,
      EphemeralStorage: { Size: 4096 },
      Timeout: 360,
    })
  })

  it('sets only configuration the code reads, and all it needs', () => {
    const functions = Object.values(dev.findResources('AWS::Lambda::Function') as Record<string, Resource>)

    for (const fn of functions) {
      const names = Object.keys(fn.Properties.Environment.Variables)
      expect(
        names.filter((name) => !configNames.includes(name as never) && name !== 'POWERTOOLS_SERVICE_NAME'),
      ).toEqual([])
      expect(names).toEqual(
        expect.arrayContaining(['TABLE_NAME', 'UPLOADS_BUCKET', 'SCAN_QUEUE_URL', 'SCAN_DLQ_URL', 'JWT_SECRET_ARN']),
      )
    }
  })

  it('gives every function read access to the signing secret, from Secrets Manager', () => {
    dev.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 64 }),
    })
  })
})

describe('the data', () => {
  it('builds the table from the shared definition, with PITR, TTL and encryption', () => {
    dev.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: table.partitionKey, KeyType: 'HASH' },
        { AttributeName: table.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: table.indexes.map((index) => Match.objectLike({ IndexName: index.name })),
      TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
      Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
    })
  })

  it('protects prod data from deletion, and lets dev go', () => {
    const prodTable = Object.values(prod.findResources('AWS::DynamoDB::GlobalTable') as Record<string, Resource>)[0]!
    const devTable = Object.values(dev.findResources('AWS::DynamoDB::GlobalTable') as Record<string, Resource>)[0]!

    expect(prodTable.DeletionPolicy).toBe('Retain')
    expect(prodTable.Properties.Replicas[0].DeletionProtectionEnabled).toBe(true)
    expect(devTable.DeletionPolicy).toBe('Delete')
  })

  it('sends a scan message to the DLQ after the defined number of tries', () => {
    dev.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: scanQueue.visibilityTimeoutS,
      RedrivePolicy: Match.objectLike({ maxReceiveCount: scanQueue.maxReceiveCount }),
    })
  })

  it('keeps the bucket private, TLS-only, and expires uploads', () => {
    dev.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ Prefix: 'uploads/', ExpirationInDays: 7 })]),
      },
    })
    dev.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    })
  })
})
