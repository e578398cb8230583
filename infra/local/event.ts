// The one place that knows the shape of an API Gateway REST proxy event (payload 1.0) and of a Lambda
// context. The local server builds every event here, and so do the tests.
import { randomUUID } from 'node:crypto'
import type { APIGatewayProxyEvent, Context } from 'aws-lambda'
import { binaryMediaTypes } from '../../shared/routes/index.js'

export interface HttpRequestInput {
  method: string
  path: string
  /** The raw query string without `?`. */
  query?: string
  /** Header name/value pairs as sent (Node's rawHeaders, or a plain record in tests). */
  headers?: [string, string][] | Record<string, string>
  body?: Buffer | string
  sourceIp?: string
  /** The matched resource template and its path parameters, as API Gateway fills them in. */
  resource?: string
  pathParameters?: Record<string, string>
  requestId?: string
}

export function apiGatewayEvent(input: HttpRequestInput): APIGatewayProxyEvent {
  const headerPairs = Array.isArray(input.headers) ? input.headers : Object.entries(input.headers ?? {})
  const headers: Record<string, string> = {}
  const multiValueHeaders: Record<string, string[]> = {}
  for (const [name, value] of headerPairs) {
    headers[name] = value
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value]
  }
  const params = new URLSearchParams(input.query ?? '')
  const queryStringParameters: Record<string, string> = {}
  const multiValueQueryStringParameters: Record<string, string[]> = {}
  for (const [name, value] of params) {
    queryStringParameters[name] = value
    multiValueQueryStringParameters[name] = [...(multiValueQueryStringParameters[name] ?? []), value]
  }
  const body = typeof input.body === 'string' ? Buffer.from(input.body) : input.body
  const hasBody = body !== undefined && body.length > 0
  const resource = input.resource ?? input.path
  const requestId = input.requestId ?? randomUUID()
  return {
    resource,
    path: input.path,
    httpMethod: input.method.toUpperCase(),
    headers,
    multiValueHeaders,
    queryStringParameters: params.size ? queryStringParameters : null,
    multiValueQueryStringParameters: params.size ? multiValueQueryStringParameters : null,
    pathParameters: input.pathParameters && Object.keys(input.pathParameters).length ? input.pathParameters : null,
    stageVariables: null,
    // binaryMediaTypes is */*: API Gateway hands every body over base64-encoded.
    body: hasBody ? body.toString(binaryMediaTypes.includes('*/*') ? 'base64' : 'utf8') : null,
    isBase64Encoded: hasBody,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: undefined,
      httpMethod: input.method.toUpperCase(),
      path: input.path,
      protocol: 'HTTP/1.1',
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: resource,
      stage: 'local',
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: input.sourceIp ?? '127.0.0.1',
        user: null,
        userAgent: headers['user-agent'] ?? headers['User-Agent'] ?? null,
        userArn: null,
      },
    },
  }
}

export function lambdaContext(functionName: string, requestId: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  }
}
