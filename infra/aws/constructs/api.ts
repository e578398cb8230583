// The REST API, generated from the route table: a resource per path, a method per route integrated
// with its group's Lambda, an ANY method per resource so a wrong method reaches the group (which
// answers 405 with Allow), and Gateway Responses that render gateway errors as the Vega envelope.
import { Duration } from 'aws-cdk-lib'
import {
  AccessLogFormat,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  type Resource,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway'
import { LogGroup } from 'aws-cdk-lib/aws-logs'
import { Construct } from 'constructs'
import { type ErrorCode, errorCatalogue } from '../../../shared/http/errors.js'
import { binaryMediaTypes, routeTable } from '../../../shared/routes/index.js'
import { type Group, groups, type RouteSpec } from '../../../shared/routes/route.js'
import type { StageSettings } from '../stages.js'
import type { Data } from './data.js'
import { type FunctionEnvironment, VegaFunction } from './vega-function.js'

// Why each group gets what it gets: most answer from DynamoDB in milliseconds; git-uploads holds a whole
// push (up to ~4.5 MB) and hashes it; docs generates the OpenAPI document once per cold start.
const sizing: Record<Group, { memoryMb: number; timeoutS: number }> = {
  health: { memoryMb: 256, timeoutS: 10 },
  docs: { memoryMb: 512, timeoutS: 10 },
  auth: { memoryMb: 512, timeoutS: 10 }, // scrypt needs 32 MiB and CPU, which scales with memory
  workspaces: { memoryMb: 256, timeoutS: 10 },
  'api-keys': { memoryMb: 256, timeoutS: 10 },
  projects: { memoryMb: 256, timeoutS: 29 }, // a cascade delete may run to the gateway's limit
  repositories: { memoryMb: 512, timeoutS: 29 },
  'git-uploads': { memoryMb: 1024, timeoutS: 29 },
  triage: { memoryMb: 512, timeoutS: 29 },
  billing: { memoryMb: 256, timeoutS: 10 },
  ops: { memoryMb: 512, timeoutS: 29 },
  sessions: { memoryMb: 256, timeoutS: 10 },
}

/** The gateway's own failures, each rendered as the envelope with the code a client would expect. */
// The two defaults keep the gateway's own status (they cover many causes); the others have one meaning.
const gatewayErrors: { type: ResponseType; code: ErrorCode; message: string; keepStatus?: true }[] = [
  { type: ResponseType.MISSING_AUTHENTICATION_TOKEN, code: 'not_found', message: 'No route for this method and path' },
  { type: ResponseType.RESOURCE_NOT_FOUND, code: 'not_found', message: 'No route for this method and path' },
  { type: ResponseType.THROTTLED, code: 'rate_limited', message: 'Too many requests' },
  {
    type: ResponseType.REQUEST_TOO_LARGE,
    code: 'payload_too_large',
    message: "The request exceeds API Gateway's 10 MB limit",
  },
  { type: ResponseType.INTEGRATION_TIMEOUT, code: 'timeout', message: 'The handler did not answer in time' },
  { type: ResponseType.UNSUPPORTED_MEDIA_TYPE, code: 'unsupported_media_type', message: 'Unsupported media type' },
  { type: ResponseType.DEFAULT_4XX, code: 'bad_request', message: 'The gateway refused the request', keepStatus: true },
  {
    type: ResponseType.DEFAULT_5XX,
    code: 'internal',
    message: 'Something went wrong on our side; retry, and quote the request id if it persists',
    keepStatus: true,
  },
]

export interface ApiProps {
  stage: StageSettings
  data: Data
  environment: FunctionEnvironment
}

export class Api extends Construct {
  readonly restApi: RestApi
  readonly functions: Record<Group, VegaFunction>
  readonly environment: FunctionEnvironment

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id)
    const { stage } = props
    this.environment = props.environment
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: stage.logRetention,
      removalPolicy: stage.removalPolicy,
    })

    this.restApi = new RestApi(this, 'RestApi', {
      restApiName: `vega-${stage.name}`,
      endpointTypes: [EndpointType.REGIONAL],
      binaryMediaTypes: [...binaryMediaTypes],
      cloudWatchRole: true,
      deployOptions: {
        stageName: 'api',
        throttlingRateLimit: stage.throttle.rateLimit,
        throttlingBurstLimit: stage.throttle.burstLimit,
        loggingLevel: MethodLoggingLevel.ERROR,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.custom(
          JSON.stringify({
            request_id: '$context.requestId',
            ip: '$context.identity.sourceIp',
            method: '$context.httpMethod',
            resource: '$context.resourcePath',
            status: '$context.status',
            bytes: '$context.responseLength',
            latency_ms: '$context.responseLatency',
            integration_ms: '$context.integrationLatency',
            error: '$context.error.responseType',
          }),
        ),
      },
    })

    this.functions = Object.fromEntries(
      groups.map((group) => [
        group,
        new VegaFunction(this, fnId(group), {
          name: group,
          stage,
          environment: props.environment,
          memoryMb: sizing[group].memoryMb,
          timeout: Duration.seconds(sizing[group].timeoutS),
          // The docs page reads Swagger UI's assets from the installed package at run time.
          packageFiles:
            group === 'docs'
              ? [{ package: 'swagger-ui-dist', files: ['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png'] }]
              : [],
        }),
      ]),
    ) as Record<Group, VegaFunction>

    // One invoke permission per function for the whole API keeps each function's policy small.
    const integrations = Object.fromEntries(
      groups.map((group) => [group, new LambdaIntegration(this.functions[group], { scopePermissionToMethod: false })]),
    ) as Record<Group, LambdaIntegration>

    const resources = new Map<string, { resource: Resource; group: Group }>()
    for (const [routeId, spec] of Object.entries(routeTable) as [string, RouteSpec][]) {
      const resource = this.restApi.root.resourceForPath(spec.path)
      resource.addMethod(spec.method, integrations[spec.group], { operationName: routeId })
      if (!resources.has(spec.path)) resources.set(spec.path, { resource, group: spec.group })
    }
    for (const { resource, group } of resources.values()) resource.addMethod('ANY', integrations[group])

    for (const { type, code, message, keepStatus } of gatewayErrors) {
      this.restApi.addGatewayResponse(`Gateway${type.responseType}`, {
        type,
        statusCode: keepStatus ? undefined : String(errorCatalogue[code].status),
        responseHeaders: { 'x-request-id': 'context.requestId', 'content-type': "'application/json'" },
        templates: { 'application/json': envelopeTemplate(code, message) },
      })
    }
  }
}

const fnId = (group: Group) => `${group.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())}Function`

function envelopeTemplate(code: ErrorCode, message: string): string {
  return JSON.stringify({
    schema_version: 1,
    error: {
      code,
      message,
      retryable: errorCatalogue[code].retryable,
      details: { request_id: '$context.requestId' },
    },
  })
}
