import { type App, Stack, Validations } from 'aws-cdk-lib'
import { Match, Template } from 'aws-cdk-lib/assertions'
import { ResponseType } from 'aws-cdk-lib/aws-apigateway'
import { Bucket } from 'aws-cdk-lib/aws-s3'
import { AwsSolutionsChecks } from 'cdk-nag'
import type { IConstruct } from 'constructs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { access, actionsOf, type FunctionName } from '../../infra/aws/access.js'
import { buildApp } from '../../infra/aws/app.js'
import { pushWaitMaxS } from '../../infra/aws/constructs/api.js'
import { powertoolsVariables } from '../../infra/aws/constructs/vega-function.js'
import { workerEphemeralStorage } from '../../infra/aws/constructs/worker.js'
import type { VegaStack } from '../../infra/aws/stack.js'
import { stageFromContext, stages } from '../../infra/aws/stages.js'
import { config, configNames } from '../../shared/config.js'
import { table } from '../../shared/data/table.js'
import { errorCatalogue } from '../../shared/http/errors.js'
import { scanQueue, webhookQueue, webhookWorkerTimeoutS, workerTimeoutS } from '../../shared/queue/queues.js'
import { routeTable } from '../../shared/routes/index.js'
import { groups, type RouteSpec } from '../../shared/routes/route.js'
import { stillWaitingEveryMs } from '../../shared/uploads/push-verdict.js'
import { removeTestApps, testApp } from '../support/cdk-app.js'

// Bundling is the slow part of a synth, and nothing here reads a bundle (assets.test.ts does): skip it,
// and synthesize each variant once for the whole file.
type Variant = 'dev' | 'prod' | 'configured'
const contexts: Record<Variant, Record<string, unknown>> = {
  dev: { stage: 'dev' },
  prod: { stage: 'prod' },
  // Prod as an operator configures it: certificate, DNS zone, alarm e-mail, two dashboard origins.
  configured: {
    stage: 'prod',
    certificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-0000-0000-000000000000',
    hostedZoneId: 'Z0000000000000',
    hostedZoneName: 'vega.example.com',
    alarmEmail: 'ops@example.com',
    dashboardOrigins: 'https://app.vega.example.com,https://admin.vega.example.com',
  },
}
interface Synth {
  app: App
  stack: VegaStack
  template: Template
}
const synths = {} as Record<Variant, Synth>
type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string }
const resources = (variant: Variant, type: string) =>
  Object.entries(synths[variant].template.findResources(type) as Record<string, Resource>)

beforeAll(() => {
  for (const variant of Object.keys(contexts) as Variant[]) {
    const app = buildApp(testApp({ context: { ...contexts[variant], 'aws:cdk:bundling-stacks': [] } }))
    const stack = app.node.findChild(`vega-${contexts[variant].stage}`) as VegaStack
    synths[variant] = { app, stack, template: Template.fromStack(stack) }
  }
})
afterAll(removeTestApps)

const specs = Object.entries(routeTable) as [string, RouteSpec][]
const routePaths = new Set(specs.map(([, spec]) => spec.path))

/** Each API Gateway resource's full path, rebuilt from its PathPart and parent. */
function resourcePaths(variant: Variant): Map<string, string> {
  const all = Object.fromEntries(resources(variant, 'AWS::ApiGateway::Resource'))
  const pathOf = (id: string): string => {
    const { ParentId, PathPart } = all[id]!.Properties
    const parent = ParentId?.Ref && all[ParentId.Ref] ? pathOf(ParentId.Ref) : ''
    return `${parent}/${PathPart}`
  }
  return new Map(Object.keys(all).map((id) => [id, pathOf(id)]))
}
function methods(variant: Variant) {
  const paths = resourcePaths(variant)
  return resources(variant, 'AWS::ApiGateway::Method').map(([, method]) => ({
    method: method.Properties.HttpMethod as string,
    path: paths.get(method.Properties.ResourceId?.Ref) ?? '/',
    properties: method.Properties,
  }))
}

describe('the API', () => {
  it.each(['dev', 'prod'] as const)(
    '%s has a method for every route of the table under /v1, and no other',
    (variant) => {
      const routes = methods(variant).filter((m) => m.method !== 'ANY')

      expect(routes.map((m) => `${m.method} ${m.path}`).sort()).toEqual(
        specs.map(([, spec]) => `${spec.method} ${spec.path}`).sort(),
      )
      expect(routes.map((m) => m.properties.OperationName).sort()).toEqual(specs.map(([id]) => id).sort())
    },
  )

  it('has a resource for each route path and the paths above them, all under /v1', () => {
    const expected = new Set<string>()
    for (const path of routePaths) {
      const parts = path.split('/').filter(Boolean)
      for (let i = 1; i <= parts.length; i++) expected.add(`/${parts.slice(0, i).join('/')}`)
    }

    expect([...resourcePaths('dev').values()].sort()).toEqual([...expected].sort())
    expect([...expected].every((path) => path === '/v1' || path.startsWith('/v1/'))).toBe(true)
  })

  it("integrates each route with its group's function by Lambda proxy (a route that streams, with the group's streaming one)", () => {
    const pascal = (group: string) => group.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())
    const functionOf = (properties: Record<string, any>) =>
      JSON.stringify(properties.Integration.Uri).match(/"Api(\w+?)Function[0-9A-F]{8}"/)?.[1]

    for (const { method, path, properties } of methods('dev')) {
      const spec = specs.find(([, s]) => s.path === path && (method === 'ANY' || s.method === method))?.[1]
      expect(spec, `${method} ${path}`).toBeDefined()
      expect(properties.Integration.Type).toBe('AWS_PROXY')
      const streams = spec!.streams && method !== 'ANY'
      expect(functionOf(properties), `${method} ${path}`).toBe(`${pascal(spec!.group)}${streams ? 'Stream' : ''}`)
    }
  })

  it('streams the answers of the routes marked streams, and of no other: InvokeWithResponseStream, waiting as long as the function', () => {
    const streamed = specs.filter(([, spec]) => spec.streams).map(([, spec]) => `${spec.method} ${spec.path}`)
    const timeoutOf = (group: string) =>
      synths.dev.stack.api.streamingFunctions[group as keyof typeof synths.dev.stack.api.streamingFunctions]!.timeout!

    expect(streamed).toEqual(['POST /v1/git-uploads/{id}/repo.git/git-receive-pack'])
    for (const { method, path, properties } of methods('dev')) {
      const uri = JSON.stringify(properties.Integration.Uri)
      if (streamed.includes(`${method} ${path}`)) {
        expect(properties.Integration.ResponseTransferMode).toBe('STREAM')
        expect(uri).toMatch(/lambda:path\/2021-11-15\/functions\/.*\/response-streaming-invocations"/)
        expect(properties.Integration.TimeoutInMillis).toBe(timeoutOf('git-uploads').toMilliseconds())
      } else if (properties.Integration.Type === 'AWS_PROXY') {
        expect(properties.Integration.ResponseTransferMode, `${method} ${path}`).toBeUndefined()
        expect(uri).toMatch(/lambda:path\/2015-03-31\/functions\/.*\/invocations"/)
      }
    }
  })

  it('sends any other method of a known path to its group (which answers 405), once per path', () => {
    const any = methods('dev').filter((m) => m.method === 'ANY')

    expect(any.map((m) => m.path).sort()).toEqual([...routePaths].sort())
  })

  it('answers CORS preflights at the gateway only when dashboard origins are configured', () => {
    const preflights = methods('configured').filter((m) => m.method === 'OPTIONS')

    expect(methods('dev').filter((m) => m.method === 'OPTIONS')).toEqual([])
    expect(preflights.map((m) => m.path).sort()).toEqual([...routePaths].sort())
    for (const { properties } of preflights) {
      expect(properties.Integration.Type).toBe('MOCK')
      expect(JSON.stringify(properties.Integration)).toContain('https://admin.vega.example.com')
    }
  })

  it('passes every body through as binary, for the git protocol and JSON alike', () => {
    synths.dev.template.hasResourceProperties('AWS::ApiGateway::RestApi', { BinaryMediaTypes: ['*/*'] })
  })

  const responseTypes = Object.values(ResponseType).filter((value) => value instanceof ResponseType)

  it.each(['dev', 'configured'] as const)('%s renders every gateway response type as the envelope', (variant) => {
    const rendered = resources(variant, 'AWS::ApiGateway::GatewayResponse').map(([, r]) => r.Properties)

    expect(responseTypes.length).toBeGreaterThanOrEqual(21)
    expect(rendered.map((r) => r.ResponseType).sort()).toEqual(responseTypes.map((t) => t.responseType).sort())
    for (const response of rendered) {
      const body = JSON.parse(response.ResponseTemplates['application/json'])
      const entry = errorCatalogue[body.error.code as keyof typeof errorCatalogue]
      expect(entry, response.ResponseType).toBeDefined()
      expect(body).toMatchObject({
        schema_version: 1,
        error: { retryable: entry.retryable, details: { request_id: '$context.requestId' } },
      })
      expect(body.error.message.length).toBeGreaterThan(5)
      const keepsStatus = response.ResponseType.startsWith('DEFAULT_')
      expect(response.StatusCode, response.ResponseType).toBe(keepsStatus ? undefined : String(entry.status))
      expect(response.ResponseParameters['gatewayresponse.header.x-request-id']).toBe('context.requestId')
      expect(response.ResponseParameters['gatewayresponse.header.content-type']).toBe("'application/json'")
    }
  })

  it('gives the gateway errors a client acts on the code and status of the catalogue', () => {
    const byType = Object.fromEntries(
      resources('dev', 'AWS::ApiGateway::GatewayResponse').map(([, r]) => [r.Properties.ResponseType, r.Properties]),
    )
    const codeOf = (type: string) => JSON.parse(byType[type].ResponseTemplates['application/json']).error.code

    expect([byType.MISSING_AUTHENTICATION_TOKEN.StatusCode, codeOf('MISSING_AUTHENTICATION_TOKEN')]).toEqual([
      '404',
      'not_found',
    ])
    expect([byType.THROTTLED.StatusCode, codeOf('THROTTLED')]).toEqual(['429', 'rate_limited'])
    expect(byType.THROTTLED.ResponseParameters['gatewayresponse.header.retry-after']).toBe("'1'")
    expect(JSON.parse(byType.THROTTLED.ResponseTemplates['application/json']).error.details.retry_after_s).toBe(1)
    expect([byType.REQUEST_TOO_LARGE.StatusCode, codeOf('REQUEST_TOO_LARGE')]).toEqual(['413', 'payload_too_large'])
    expect([byType.INTEGRATION_TIMEOUT.StatusCode, codeOf('INTEGRATION_TIMEOUT')]).toEqual(['504', 'timeout'])
    expect([byType.ACCESS_DENIED.StatusCode, codeOf('ACCESS_DENIED')]).toEqual(['403', 'forbidden'])
    expect([byType.UNAUTHORIZED.StatusCode, codeOf('UNAUTHORIZED')]).toEqual(['401', 'unauthorized'])
    expect(byType.UNAUTHORIZED.ResponseParameters['gatewayresponse.header.www-authenticate']).toBe("'Bearer'")
  })

  it.each([
    ['dev', 50, 100],
    ['prod', 500, 1000],
  ] as const)(
    '%s writes JSON access logs with the request id, traces, and throttles the stage',
    (variant, rate, burst) => {
      synths[variant].template.hasResourceProperties('AWS::ApiGateway::Stage', {
        TracingEnabled: true,
        AccessLogSetting: { Format: Match.stringLikeRegexp('"request_id":"\\$context.requestId"') },
        MethodSettings: [
          Match.objectLike({ ThrottlingRateLimit: rate, ThrottlingBurstLimit: burst, LoggingLevel: 'ERROR' }),
        ],
      })
      const format = resources(variant, 'AWS::ApiGateway::Stage')[0]![1].Properties.AccessLogSetting.Format
      expect(JSON.parse(format).status).toBe('$context.status')
    },
  )

  it('serves the configured custom domain over TLS 1.2 only, with DNS, and closes the execute-api endpoint', () => {
    const { template } = synths.configured

    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'api.vega.example.com',
      RegionalCertificateArn: contexts.configured.certificateArn,
      SecurityPolicy: 'TLS_1_2',
      EndpointConfiguration: { Types: ['REGIONAL'] },
    })
    template.resourceCountIs('AWS::ApiGateway::BasePathMapping', 1)
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'api.vega.example.com.', Type: 'A' })
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true })
    template.hasOutput('ApiUrl', { Value: 'https://api.vega.example.com/v1' })
    synths.prod.template.resourceCountIs('AWS::ApiGateway::DomainName', 0)
  })
})

describe('the functions', () => {
  const functions = (variant: Variant) => synths[variant].stack.functions()
  const propsOf = (variant: Variant, name: FunctionName, streaming = false) => {
    const fn = functions(variant).find((f) => f.functionLabel === name && f.streaming === streaming)!
    const id = Stack.of(fn).getLogicalId(fn.node.defaultChild as never)
    return synths[variant].template.toJSON().Resources[id].Properties as Record<string, any>
  }
  const streamingGroups = [...new Set(specs.filter(([, spec]) => spec.streams).map(([, spec]) => spec.group))]

  it('runs one function per endpoint group, one more for a group whose routes stream, the scan worker, the cleanup, the advisory sync and the webhook worker, all on nodejs24.x', () => {
    const labels = functions('dev')
      .filter((fn) => !fn.streaming)
      .map((fn) => fn.functionLabel)
    const streaming = functions('dev')
      .filter((fn) => fn.streaming)
      .map((fn) => fn.functionLabel)

    expect(labels.sort()).toEqual([...groups, 'scan-worker', 'cleanup', 'advisory-sync', 'webhook-worker'].sort())
    expect(streaming).toEqual(['git-uploads'])
    expect(streamingGroups).toEqual(['git-uploads'])
    for (const [, fn] of resources('dev', 'AWS::Lambda::Function')) expect(fn.Properties.Runtime).toBe('nodejs24.x')
    expect(resources('dev', 'AWS::Lambda::Function')).toHaveLength(groups.length + streamingGroups.length + 4)
  })

  it("runs the streamed routes through the group's streamHandler, waiting GIT_PUSH_WAIT_MAX_S, within the function's timeout and the gateway's 15 minutes", () => {
    const streaming = propsOf('dev', 'git-uploads', true)
    const buffered = propsOf('dev', 'git-uploads')
    const waitS = Number(streaming.Environment.Variables.GIT_PUSH_WAIT_MAX_S)

    expect(streaming.Handler).toBe('index.streamHandler')
    expect(buffered.Handler).toBe('index.handler')
    expect(waitS).toBe(pushWaitMaxS)
    expect(waitS).toBeGreaterThan(29)
    // The push before the wait and the verdict after it fit in the function's time; the gateway streams 15 min.
    expect(streaming.Timeout).toBeGreaterThanOrEqual(waitS + 60)
    expect(streaming.Timeout).toBeLessThanOrEqual(15 * 60)
    expect(streaming.MemorySize).toBe(buffered.MemorySize)
    expect(buffered.Environment.Variables.GIT_PUSH_WAIT_MAX_S).toBeUndefined()
    expect(stillWaitingEveryMs).toBeLessThan(5 * 60_000)
  })

  it('lets API Gateway invoke the streaming function (InvokeWithResponseStream takes lambda:InvokeFunction), from this API only', () => {
    const fn = synths.dev.stack.api.streamingFunctions['git-uploads']!
    const id = Stack.of(fn).getLogicalId(fn.node.defaultChild as never)
    const api = Stack.of(fn).getLogicalId(synths.dev.stack.api.restApi.node.defaultChild as never)
    const permissions = resources('dev', 'AWS::Lambda::Permission').filter(
      ([, p]) => JSON.stringify(p.Properties.FunctionName) === JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] }),
    )

    expect(permissions).toHaveLength(1)
    expect(permissions[0]![1].Properties).toMatchObject({
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
    })
    expect(JSON.stringify(permissions[0]![1].Properties.SourceArn)).toContain(`{"Ref":"${api}"},"/*/*/*"`)
  })

  it('runs on arm64 except the worker, x86_64 for its native addon, all traced with X-Ray', () => {
    for (const fn of functions('dev')) {
      const props = propsOf('dev', fn.functionLabel)
      expect(props.Architectures, fn.functionLabel).toEqual([fn.functionLabel === 'scan-worker' ? 'x86_64' : 'arm64'])
      expect(props.TracingConfig).toEqual({ Mode: 'Active' })
      expect(props.LoggingConfig.LogFormat).toBe('JSON')
    }
  })

  it("keeps API functions that answer whole within the gateway's 29 s", () => {
    for (const group of groups) expect(propsOf('dev', group).Timeout, group).toBeLessThanOrEqual(29)
  })

  it('feeds the worker from the scan queue with partial batch failures and concurrency bounded on both sides', () => {
    for (const variant of ['dev', 'prod'] as const) {
      const concurrency = stages[variant].workerConcurrency
      const worker = propsOf(variant, 'scan-worker')

      synths[variant].template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        BatchSize: scanQueue.batchSize,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: concurrency },
      })
      expect(worker.ReservedConcurrentExecutions).toBe(concurrency)
      expect(worker.EphemeralStorage).toEqual({ Size: workerEphemeralStorage.toMebibytes() })
      expect(worker.Timeout).toBe(workerTimeoutS)
    }
    expect(scanQueue.visibilityTimeoutS).toBeGreaterThanOrEqual(6 * workerTimeoutS)
  })

  it('gives the worker two whole vCPUs (Lambda: one per 1,769 MB), and meters the local worker as it', () => {
    for (const variant of ['dev', 'prod'] as const) expect(propsOf(variant, 'scan-worker').MemorySize).toBe(2 * 1769)
    expect(config().AWS_LAMBDA_FUNCTION_MEMORY_SIZE).toBe(2 * 1769)
  })

  it('feeds the webhook worker from its own queue, ten deliveries a batch, with partial batch failures', () => {
    for (const variant of ['dev', 'prod'] as const) {
      const { stack, template } = synths[variant]
      const fn = Stack.of(stack).getLogicalId(stack.worker.webhookWorker.node.defaultChild as never)
      const queue = Stack.of(stack).getLogicalId(stack.data.webhookQueue.node.defaultChild as never)

      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: fn },
        EventSourceArn: { 'Fn::GetAtt': [queue, 'Arn'] },
        BatchSize: webhookQueue.batchSize,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: stages[variant].webhookConcurrency },
      })
      expect(template.toJSON().Resources[fn].Properties.Timeout).toBe(webhookWorkerTimeoutS)
    }
    expect(webhookQueue.visibilityTimeoutS).toBeGreaterThanOrEqual(6 * webhookWorkerTimeoutS)
  })

  it('sets only configuration the code reads (and Powertools), and all it needs', () => {
    for (const [, fn] of resources('dev', 'AWS::Lambda::Function')) {
      const variables = fn.Properties.Environment.Variables
      const names = Object.keys(variables)

      expect(
        names.filter((name) => !configNames.includes(name as never) && !powertoolsVariables.includes(name)),
      ).toEqual([])
      expect(names).toEqual(
        expect.arrayContaining([
          'TABLE_NAME',
          'UPLOADS_BUCKET',
          'SCAN_QUEUE_URL',
          'SCAN_DLQ_URL',
          'WEBHOOK_QUEUE_URL',
          'JWT_SECRET_ARN',
          'PUBLIC_BASE_URL',
          ...powertoolsVariables,
        ]),
      )
      expect(variables.STAGE).toBe('dev')
    }
  })

  it('points PUBLIC_BASE_URL at the stage URL without a domain, at the domain with one', () => {
    expect(JSON.stringify(propsOf('dev', 'git-uploads').Environment.Variables.PUBLIC_BASE_URL)).toMatch(
      /execute-api.*\/api"/,
    )
    expect(propsOf('configured', 'git-uploads').Environment.Variables.PUBLIC_BASE_URL).toBe(
      'https://api.vega.example.com',
    )
  })

  it('syncs advisories daily, retried twice by the schedule', () => {
    const sync = Stack.of(synths.dev.stack).getLogicalId(
      synths.dev.stack.worker.advisorySync.node.defaultChild as never,
    )

    synths.dev.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 day)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [sync, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 2 } })],
    })
    expect(synths.dev.template.toJSON().Resources[sync].Properties.Timeout).toBe(900)
  })

  it('runs the cleanup every minute, so a scan whose worker died runs again within 90 s', () => {
    const cleanup = Stack.of(synths.dev.stack).getLogicalId(synths.dev.stack.worker.cleanup.node.defaultChild as never)

    synths.dev.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [cleanup, 'Arn'] } })],
    })
  })
})

describe('IAM', () => {
  /** Each function's statements, from the policies attached to its role. */
  function statementsOf(
    variant: Variant,
    name: FunctionName,
    streaming = false,
  ): { Action: string[]; Resource: unknown }[] {
    const fn = synths[variant].stack.functions().find((f) => f.functionLabel === name && f.streaming === streaming)!
    const role = Stack.of(fn).getLogicalId(fn.role!.node.defaultChild as never)
    return resources(variant, 'AWS::IAM::Policy')
      .filter(([, policy]) => policy.Properties.Roles.some((r: { Ref: string }) => r.Ref === role))
      .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement)
      .map((s: { Action: string | string[]; Resource: unknown }) => ({ ...s, Action: [s.Action].flat() }))
  }

  it.each([...groups, 'scan-worker', 'cleanup', 'advisory-sync', 'webhook-worker'] as FunctionName[])(
    '%s holds exactly its declared access',
    (name) => {
      const statements = statementsOf('dev', name)
      // Beside the declaration: its own log group, X-Ray, and for the worker the event source's consumption.
      const platform = (s: { Action: string[] }) =>
        s.Action.every((a) => a.startsWith('logs:') || a.startsWith('xray:')) ||
        ((name === 'scan-worker' || name === 'webhook-worker') && s.Action.includes('sqs:ReceiveMessage'))
      const granted = [...new Set(statements.filter((s) => !platform(s)).flatMap((s) => s.Action))].sort()

      expect(granted).toEqual(actionsOf(access[name]))
    },
  )

  it("gives the streaming function exactly its group's access: the same code, another entry point", () => {
    const actions = (streaming: boolean) =>
      [
        ...new Set(
          statementsOf('dev', 'git-uploads', streaming)
            .flatMap((s) => s.Action)
            .filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:')),
        ),
      ].sort()

    expect(actions(true)).toEqual(actionsOf(access['git-uploads']))
    expect(actions(true)).toEqual(actions(false))
  })

  it.each(['dev', 'configured'] as const)(
    '%s has no statement with a wildcard action, and "*" resources only for X-Ray',
    (variant) => {
      const statements = [
        ...resources(variant, 'AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement),
        ...resources(variant, 'AWS::IAM::Role').flatMap(([, r]) =>
          (r.Properties.Policies ?? []).flatMap(
            (p: { PolicyDocument: { Statement: unknown[] } }) => p.PolicyDocument.Statement,
          ),
        ),
      ] as { Action: string | string[]; Resource: unknown }[]

      expect(statements.length).toBeGreaterThan(30)
      for (const statement of statements) {
        const actions = [statement.Action].flat()
        expect(actions.filter((action) => action === '*' || action.endsWith(':*'))).toEqual([])
        if ([statement.Resource].flat().includes('*')) expect(actions.every((a) => a.startsWith('xray:'))).toBe(true)
      }
    },
  )

  it('attaches no managed policy to a function role', () => {
    const roles = synths.dev.stack
      .functions()
      .map((fn) => Stack.of(fn).getLogicalId(fn.role!.node.defaultChild as never))

    for (const role of roles) {
      expect(synths.dev.template.toJSON().Resources[role].Properties.ManagedPolicyArns, role).toBeUndefined()
    }
  })

  it('reads items of the table and its named indexes, never index/*', () => {
    const reads = statementsOf('dev', 'auth').find((s) => s.Action.includes('dynamodb:Query'))!

    expect(JSON.stringify(reads.Resource)).not.toContain('index/*')
    for (const index of table.indexes) expect(JSON.stringify(reads.Resource)).toContain(`/index/${index.name}`)
  })

  it('limits object actions to uploads/ and listing to that prefix', () => {
    const worker = statementsOf('dev', 'scan-worker')

    expect(JSON.stringify(worker.find((s) => s.Action.includes('s3:GetObject'))!.Resource)).toContain('"/uploads/*"')
    expect(worker.find((s) => s.Action.includes('s3:ListBucket'))).toMatchObject({
      Condition: { StringLike: { 's3:prefix': ['uploads/*'] } },
    })
  })
})

describe('the data', () => {
  it.each(['dev', 'prod'] as const)(
    '%s builds the table from the shared definition, with PITR, TTL and encryption',
    (variant) => {
      synths[variant].template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        KeySchema: [
          { AttributeName: table.partitionKey, KeyType: 'HASH' },
          { AttributeName: table.sortKey, KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        GlobalSecondaryIndexes: table.indexes.map((index) => Match.objectLike({ IndexName: index.name })),
        TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
        SSESpecification: { SSEEnabled: true },
        Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
      })
    },
  )

  it('retains every stateful resource in prod and protects the table from deletion; dev lets them go', () => {
    const stateful = [
      'AWS::DynamoDB::GlobalTable',
      'AWS::S3::Bucket',
      'AWS::SQS::Queue',
      'AWS::Logs::LogGroup',
      'AWS::SecretsManager::Secret',
    ]
    for (const type of stateful) {
      for (const [id, r] of resources('prod', type)) expect([id, r.DeletionPolicy]).toEqual([id, 'Retain'])
      for (const [id, r] of resources('dev', type)) expect([id, r.DeletionPolicy]).toEqual([id, 'Delete'])
    }
    expect(
      resources('prod', 'AWS::DynamoDB::GlobalTable')[0]![1].Properties.Replicas[0].DeletionProtectionEnabled,
    ).toBe(true)
    expect(synths.prod.stack.terminationProtection).toBe(true)
    expect(synths.dev.stack.terminationProtection).toBe(false)
  })

  it('sends a scan message, and a webhook message, to its encrypted DLQ after the defined number of tries', () => {
    const queues = Object.fromEntries(resources('dev', 'AWS::SQS::Queue'))
    const logicalId = (queue: { node: { defaultChild?: unknown } }) =>
      Stack.of(synths.dev.stack).getLogicalId(queue.node.defaultChild as never)
    const { data } = synths.dev.stack
    for (const [queue, dlq, definition] of [
      [data.scanQueue, data.scanDeadLetterQueue, scanQueue],
      [data.webhookQueue, data.webhookDeadLetterQueue, webhookQueue],
    ] as const) {
      expect(queues[logicalId(queue)]!.Properties).toMatchObject({
        VisibilityTimeout: definition.visibilityTimeoutS,
        RedrivePolicy: {
          maxReceiveCount: definition.maxReceiveCount,
          deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(dlq), 'Arn'] },
        },
      })
    }
    expect(scanQueue.maxReceiveCount).toBe(3)
    expect(Object.keys(queues)).toHaveLength(4)
    for (const queue of Object.values(queues)) expect(queue.Properties.SqsManagedSseEnabled).toBe(true)
    synths.dev.template.resourcePropertiesCountIs(
      'AWS::SQS::QueuePolicy',
      {
        PolicyDocument: {
          Statement: [Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })],
        },
      },
      4,
    )
  })

  it('keeps both buckets private, encrypted and TLS-only, logs access to uploads, and expires uploads', () => {
    const buckets = resources('dev', 'AWS::S3::Bucket')

    expect(buckets).toHaveLength(2)
    for (const [, bucket] of buckets) {
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      })
      expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toHaveLength(1)
    }
    synths.dev.template.resourcePropertiesCountIs(
      'AWS::S3::BucketPolicy',
      {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      },
      2,
    )
    synths.dev.template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'uploads-bucket/' }),
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ Prefix: 'uploads/', ExpirationInDays: 7 })]),
      },
    })
  })

  it('allows presigned PUTs from the configured dashboard origins only', () => {
    synths.configured.template.hasResourceProperties('AWS::S3::Bucket', {
      CorsConfiguration: {
        CorsRules: [
          Match.objectLike({
            AllowedMethods: ['PUT'],
            AllowedOrigins: ['https://app.vega.example.com', 'https://admin.vega.example.com'],
          }),
        ],
      },
    })
    for (const [, bucket] of resources('dev', 'AWS::S3::Bucket'))
      expect(bucket.Properties.CorsConfiguration).toBeUndefined()
  })

  it('generates the signing secret in Secrets Manager', () => {
    synths.dev.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 64, ExcludePunctuation: true }),
    })
  })
})

describe('operations', () => {
  it('alarms on dead letters, worker and advisory-sync errors, the 5xx rate, p99 latency and throttles, to the topic', () => {
    const alarms = resources('dev', 'AWS::CloudWatch::Alarm').map(
      ([id, a]) => ({ id, ...a.Properties }) as Record<string, any>,
    )
    const topic = Stack.of(synths.dev.stack).getLogicalId(synths.dev.stack.alarms.topic.node.defaultChild as never)

    expect(alarms.map((a) => a.id.replace(/^Alarms|[0-9A-F]{8}$/g, '')).sort()).toEqual(
      [
        'AdvisorySyncErrors',
        'Api5xxRate',
        'ApiLatencyP99',
        'ApiThrottles',
        'DeadLettersWaiting',
        'LambdaThrottles',
        'WebhookDeadLetters',
        'WorkerErrors',
        'WorkerThrottles',
      ].sort(),
    )
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: topic }])
    expect(alarms.find((a) => a.id.includes('DeadLettersWaiting'))!.Dimensions[0].Value['Fn::GetAtt'][0]).toMatch(
      /scansdlq/,
    )
    expect(alarms.find((a) => a.id.includes('WebhookDeadLetters'))!.Dimensions[0].Value['Fn::GetAtt'][0]).toMatch(
      /webhooksdlq/,
    )
    expect(alarms.find((a) => a.id.includes('Latency'))!.ExtendedStatistic).toBe('p99')
    synths.dev.template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.error = "THROTTLED" }',
    })
    synths.dev.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1)
  })

  it('mails alarms only where an address is configured', () => {
    synths.configured.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    })
    synths.dev.template.resourceCountIs('AWS::SNS::Subscription', 0)
  })

  it('outputs the base URL and the table name the first user is created in', () => {
    synths.dev.template.hasOutput('ApiUrl', {})
    synths.dev.template.hasOutput('TableName', {})
  })
})

describe('cdk-nag', () => {
  const acknowledgements = (root: IConstruct) =>
    root.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>))

  it.each(['dev', 'prod', 'configured'] as const)('%s has no unacknowledged AwsSolutions finding', (variant) => {
    const report = new AwsSolutionsChecks().validateScope(synths[variant].app)

    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources[0]?.constructPath}`)).toEqual([])
  })

  it('gives every acknowledgement a reason', () => {
    const entries = acknowledgements(synths.configured.app)

    expect(entries.length).toBeGreaterThan(5)
    for (const [id, reason] of entries) expect(reason.length, id).toBeGreaterThan(40)
  })

  it('does find what it should: an unprotected bucket fails the same checks', () => {
    const app = testApp()
    new Bucket(new Stack(app, 'Careless'), 'Open')

    const rules = new AwsSolutionsChecks().validateScope(app).violations.map((v) => v.ruleName)

    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']))
  })
})

describe('stages', () => {
  it('refuses an unknown stage and a wildcard origin', () => {
    expect(() => buildApp(testApp({ context: { stage: 'staging' } }))).toThrow(/Unknown stage "staging"/)
    expect(() => stageFromContext(testApp({ context: { stage: 'dev', dashboardOrigins: '*' } }).node)).toThrow(
      /not an origin/,
    )
  })

  it('reads per-stage settings from context', () => {
    const stage = stageFromContext(
      testApp({ context: { stage: 'prod', 'vega:prod': { alarmEmail: 'oncall@example.com' } } }).node,
    )

    expect(stage).toMatchObject({ name: 'prod', alarmEmail: 'oncall@example.com', certificateArn: undefined })
  })
})
