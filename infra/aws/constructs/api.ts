// The REST API, generated from the route table: a resource per path, a method per route integrated with
// its group's Lambda by proxy, an ANY method per resource so a wrong method reaches the group (which
// answers 405 with Allow; the gateway cannot), CORS preflights only when dashboard origins are configured,
// and Gateway Responses that render the gateway's own errors as the Vega envelope.
import { Aws, Duration, Validations } from 'aws-cdk-lib'
import {
  AccessLogFormat,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  type Resource,
  ResponseTransferMode,
  RestApi,
  SecurityPolicy,
} from 'aws-cdk-lib/aws-apigateway'
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager'
import { LogGroup } from 'aws-cdk-lib/aws-logs'
import { ARecord, HostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53'
import { ApiGateway } from 'aws-cdk-lib/aws-route53-targets'
import { Construct } from 'constructs'
import { binaryMediaTypes, routeTable } from '../../../shared/routes/index.js'
import { type Group, groups, type RouteSpec } from '../../../shared/routes/route.js'
import { type AccessTargets, access } from '../access.js'
import { envelopeTemplate, gatewayErrors, statusOf } from '../gateway-responses.js'
import type { StageSettings } from '../stages.js'
import { apiTimeoutLimit, type FunctionEnvironment, VegaFunction } from './vega-function.js'

/** The deployment stage in execute-api URLs (`https://…/api/v1/…`); a custom domain maps it to its root. */
export const stageName = 'api'

// Memory buys CPU in Lambda. Most groups answer from DynamoDB in milliseconds (256 MB); auth hashes
// passwords with scrypt (32 MiB, CPU-bound); git-uploads holds a whole push (~4.5 MB, base64 in the event)
// and hashes it; docs compacts the 850 KB OpenAPI document it serves; repositories, triage and ops page over
// many findings; the overview sums every repository's counters and may write CSV. Timeouts: 10 s for single
// reads; the gateway's 29 s for cascades and bulk triage, past which API Gateway answers 504 timeout
// whatever the function does. A route that streams (`streaming` below) is not held to the 29 s.
const sizing: Record<Group, { memoryMb: number; timeout: Duration }> = {
  health: { memoryMb: 256, timeout: Duration.seconds(10) },
  docs: { memoryMb: 512, timeout: Duration.seconds(10) },
  auth: { memoryMb: 512, timeout: Duration.seconds(10) },
  workspaces: { memoryMb: 256, timeout: Duration.seconds(10) },
  'api-keys': { memoryMb: 256, timeout: Duration.seconds(10) },
  projects: { memoryMb: 256, timeout: apiTimeoutLimit },
  repositories: { memoryMb: 512, timeout: apiTimeoutLimit },
  'git-uploads': { memoryMb: 1024, timeout: apiTimeoutLimit },
  triage: { memoryMb: 512, timeout: apiTimeoutLimit },
  billing: { memoryMb: 256, timeout: Duration.seconds(10) },
  ops: { memoryMb: 512, timeout: apiTimeoutLimit },
  sessions: { memoryMb: 256, timeout: Duration.seconds(10) },
  // A create resolves the endpoint's name (the SSRF check) and seals its secret.
  webhooks: { memoryMb: 256, timeout: Duration.seconds(10) },
  overview: { memoryMb: 512, timeout: Duration.seconds(10) },
}

/**
 * The longest a `git push -o vega.wait` holds its answer in AWS. The answer streams (a STREAM integration,
 * Lambda response streaming), so the gateway's 29 s do not apply: a stream may last 15 minutes and stay
 * silent 5 (a regional endpoint), and a waiting push says something at least every 30 s.
 */
export const pushWaitMaxS = 600

/**
 * The groups whose routes stream (`streams` in the route table), each with a function of its own: its
 * timeout and what its code reads beyond the API's environment. git-uploads' lives a minute past the longest
 * wait, for the push before it (the pack into S3, the scan queued) and the verdict after it, and within
 * API Gateway's 15 minutes; the integration waits as long as the function.
 */
export const streaming: Partial<Record<Group, { timeout: Duration; environment: FunctionEnvironment }>> = {
  'git-uploads': {
    timeout: Duration.seconds(pushWaitMaxS + 60),
    environment: { GIT_PUSH_WAIT_MAX_S: String(pushWaitMaxS) },
  },
}

export interface ApiProps {
  stage: StageSettings
  targets: AccessTargets
  /** Shared by every function; the API adds PUBLIC_BASE_URL. */
  environment: FunctionEnvironment
}

export class Api extends Construct {
  readonly restApi: RestApi
  readonly accessLogs: LogGroup
  readonly functions: Record<Group, VegaFunction>
  /** The functions of the routes marked `streams`, by group: the group's code through its streamHandler. */
  readonly streamingFunctions: Partial<Record<Group, VegaFunction>>
  readonly environment: FunctionEnvironment
  /** Where clients reach the API: the custom domain when configured, else the execute-api stage URL. */
  readonly baseUrl: string

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id)
    const { stage } = props
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: stage.logRetention,
      removalPolicy: stage.removalPolicy,
    })
    this.accessLogs = accessLogs
    const certificate = stage.certificateArn
      ? Certificate.fromCertificateArn(this, 'Certificate', stage.certificateArn)
      : undefined

    this.restApi = new RestApi(this, 'RestApi', {
      restApiName: `vega-${stage.name}`,
      description: `Vega ${stage.name}: generated from shared/routes`,
      endpointTypes: [EndpointType.REGIONAL],
      binaryMediaTypes: [...binaryMediaTypes],
      // Account-wide setting that execution logging needs; the role is AWS's managed push-to-logs policy.
      cloudWatchRole: true,
      // With a custom domain, the execute-api URL would bypass it (and whatever is attached to it).
      disableExecuteApiEndpoint: certificate !== undefined,
      domainName: certificate
        ? {
            domainName: stage.domainName,
            certificate,
            endpointType: EndpointType.REGIONAL,
            securityPolicy: SecurityPolicy.TLS_1_2,
          }
        : undefined,
      deployOptions: {
        stageName,
        throttlingRateLimit: stage.throttle.rateLimit,
        throttlingBurstLimit: stage.throttle.burstLimit,
        tracingEnabled: true,
        // Execution logs for errors only: INFO would log every request's path and headers.
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.custom(
          JSON.stringify({
            request_id: '$context.requestId',
            extended_request_id: '$context.extendedRequestId',
            xray_trace_id: '$context.xrayTraceId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            user_agent: '$context.identity.userAgent',
            method: '$context.httpMethod',
            resource: '$context.resourcePath',
            path: '$context.path',
            status: '$context.status',
            bytes: '$context.responseLength',
            latency_ms: '$context.responseLatency',
            integration_ms: '$context.integrationLatency',
            integration_status: '$context.integration.status',
            error: '$context.error.responseType',
          }),
        ),
      },
    })
    if (stage.hostedZone && this.restApi.domainName) {
      new ARecord(this, 'DomainRecord', {
        zone: HostedZone.fromHostedZoneAttributes(this, 'Zone', {
          hostedZoneId: stage.hostedZone.id,
          zoneName: stage.hostedZone.name,
        }),
        recordName: stage.domainName,
        target: RecordTarget.fromAlias(new ApiGateway(this.restApi)),
      })
    }
    // The restApiId alone, not restApi.url: the URL names the stage, which depends on every method, which
    // depends on the functions whose environment this is (a cycle).
    this.baseUrl = certificate
      ? `https://${stage.domainName}`
      : `https://${this.restApi.restApiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}/${stageName}`
    this.environment = { ...props.environment, PUBLIC_BASE_URL: this.baseUrl }

    const functionOf = (group: Group, streamed?: (typeof streaming)[Group]) =>
      new VegaFunction(this, fnId(group, streamed !== undefined), {
        name: group,
        stage,
        environment: { ...this.environment, ...streamed?.environment },
        access: access[group],
        targets: props.targets,
        memoryMb: sizing[group].memoryMb,
        timeout: streamed?.timeout ?? sizing[group].timeout,
        // The docs page reads Swagger UI's assets from the installed package at run time, and serves the
        // OpenAPI document `npm run docs` generates (shared/openapi/served.ts).
        packageFiles:
          group === 'docs'
            ? [{ package: 'swagger-ui-dist', files: ['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png'] }]
            : [],
        projectFiles: group === 'docs' ? ['docs/openapi.json'] : [],
        ...(streamed ? { streaming: true } : {}),
      })
    this.functions = Object.fromEntries(groups.map((group) => [group, functionOf(group)])) as Record<
      Group,
      VegaFunction
    >
    const streamingGroups = [
      ...new Set(
        Object.values(routeTable as Record<string, RouteSpec>)
          .filter((spec) => spec.streams)
          .map((spec) => spec.group),
      ),
    ]
    this.streamingFunctions = Object.fromEntries(
      streamingGroups.map((group) => {
        const settings = streaming[group]
        if (!settings) throw new Error(`${group} has routes marked streams, but no streaming settings in api.ts`)
        return [group, functionOf(group, settings)]
      }),
    )

    // One invoke permission per function for the whole API keeps each function's resource policy small.
    const integrations = Object.fromEntries(
      groups.map((group) => [group, new LambdaIntegration(this.functions[group], { scopePermissionToMethod: false })]),
    ) as Record<Group, LambdaIntegration>
    // InvokeWithResponseStream, which takes the same lambda:InvokeFunction permission.
    const streamIntegrations = Object.fromEntries(
      Object.entries(this.streamingFunctions).map(([group, fn]) => [
        group,
        new LambdaIntegration(fn, {
          scopePermissionToMethod: false,
          responseTransferMode: ResponseTransferMode.STREAM,
          timeout: streaming[group as Group]!.timeout,
        }),
      ]),
    ) as Partial<Record<Group, LambdaIntegration>>

    const resources = new Map<string, { resource: Resource; group: Group; methods: string[] }>()
    for (const [routeId, spec] of Object.entries(routeTable) as [string, RouteSpec][]) {
      const resource = this.restApi.root.resourceForPath(spec.path)
      const integration = spec.streams ? streamIntegrations[spec.group]! : integrations[spec.group]
      resource.addMethod(spec.method, integration, { operationName: routeId })
      const known = resources.get(spec.path) ?? { resource, group: spec.group, methods: [] }
      known.methods.push(spec.method)
      resources.set(spec.path, known)
    }
    for (const { resource, group, methods } of resources.values()) {
      resource.addMethod('ANY', integrations[group])
      // Preflights answered by the gateway (a mock integration), so they never cost an invocation.
      if (stage.dashboardOrigins.length) {
        resource.addCorsPreflight({
          allowOrigins: stage.dashboardOrigins,
          allowMethods: methods,
          allowHeaders: ['authorization', 'content-type', 'idempotency-key', 'private-token'],
          exposeHeaders: ['x-request-id', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'],
          maxAge: Duration.hours(1),
        })
      }
    }

    // A gateway response cannot echo one of several origins, so browsers read gateway errors only when a
    // single dashboard origin is configured.
    const corsHeader: Record<string, string> =
      stage.dashboardOrigins.length === 1
        ? { 'Access-Control-Allow-Origin': `'${stage.dashboardOrigins[0]}'`, Vary: "'Origin'" }
        : {}
    for (const error of gatewayErrors) {
      this.restApi.addGatewayResponse(`Gateway${error.type.responseType}`, {
        type: error.type,
        statusCode: statusOf(error),
        responseHeaders: {
          'x-request-id': 'context.requestId',
          'content-type': "'application/json'",
          ...(error.retryAfterS ? { 'retry-after': `'${error.retryAfterS}'` } : {}),
          ...(error.code === 'unauthorized' ? { 'www-authenticate': "'Bearer'" } : {}),
          ...corsHeader,
        },
        templates: { 'application/json': envelopeTemplate(error) },
      })
    }

    Validations.of(this.restApi).acknowledge(
      {
        id: 'AwsSolutions-APIG2',
        reason:
          "Each function validates params, query and body with the route's zod schemas (the same ones the OpenAPI document is generated from) and answers 422 validation_failed with field issues; gateway models would duplicate them",
      },
      {
        id: 'AwsSolutions-APIG4',
        reason:
          'Authentication happens in the functions (JWT access tokens, API keys, one-time upload tokens for git) because several routes are public by design (health, docs, login, the git remote); a gateway authorizer could not express the route table',
      },
      {
        id: 'AwsSolutions-COG4',
        reason: 'Vega issues its own access tokens and API keys (DESIGN.md "Authentication and tenancy"), not Cognito',
      },
      {
        id: 'AwsSolutions-APIG3',
        reason:
          'No WAF by default: it costs a fixed monthly fee per stage; stage throttling and per-principal rate limits in the functions bound abuse. Attach a web ACL to the stage where a deployment needs one',
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          "API Gateway's account-level logging role: AWS's own policy for exactly this purpose, which execution logging requires",
      },
    )
  }
}

const fnId = (group: Group, streamed = false) =>
  `${group.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())}${streamed ? 'Stream' : ''}Function`
