// Calls a handler with an event from the same factory the local server uses, and reads the answer.
import type { APIGatewayProxyResult } from 'aws-lambda'
import { apiGatewayEvent, type HttpRequestInput, lambdaContext } from '../../infra/local/event.js'
import type { ApiHandler } from '../../shared/api/lambda.js'
import { routeTable } from '../../shared/routes/index.js'
import { createMatcher } from '../../shared/routes/match.js'

const resolve = createMatcher(routeTable)

export interface Answer {
  status: number
  headers: Record<string, string>
  text: string
  bytes: Buffer
  json: any
}

/** Resolves the resource like API Gateway does, then invokes the handler directly (no HTTP). */
export async function invoke(
  handler: ApiHandler,
  input: Omit<HttpRequestInput, 'resource' | 'pathParameters'>,
): Promise<Answer> {
  // HEAD reaches the GET's resource with its parameters, as the deployed ANY method and the local server do.
  const resolution = resolve(input.method === 'HEAD' ? 'GET' : input.method, input.path)
  const event = apiGatewayEvent({
    ...input,
    resource: resolution.kind === 'not_found' ? input.path : resolution.resource,
    pathParameters: resolution.kind === 'route' ? resolution.params : undefined,
  })
  const result = await handler(event, lambdaContext('test', event.requestContext.requestId, 10_000))
  return read(result)
}

export function read(result: APIGatewayProxyResult): Answer {
  const bytes = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8')
  const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]))
  const text = bytes.toString('utf8')
  let json: unknown
  try {
    json = text ? JSON.parse(text) : undefined
  } catch {
    json = undefined
  }
  return { status: result.statusCode, headers, text, bytes, json }
}
