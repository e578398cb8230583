// Lambda response streaming as Vega's streaming handlers write it and the local gateway reads it: API
// Gateway's documented format (a JSON prelude with the status and headers, eight NUL bytes, then the body),
// a buffered answer's bytes decoded from base64, a streamed body passed on as each chunk is written.
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { apiGatewayEvent, lambdaContext } from '../../infra/local/event.js'
import {
  installLambdaRuntime,
  preludeContentType,
  preludeOf,
  ResponseStream,
} from '../../infra/local/lambda-runtime.js'
import { streamed } from '../../shared/api/streaming.js'

installLambdaRuntime()
const event = apiGatewayEvent({ method: 'POST', path: '/v1/git-uploads/upl_x/repo.git/git-receive-pack' })
const context = lambdaContext('test-stream', 'request-1', 10_000)

/** Everything a handler writes, once it is done. */
async function written(stream: ResponseStream, invocation: void | Promise<void>) {
  const chunks: Buffer[] = []
  stream.on('data', (chunk: Buffer) => chunks.push(chunk)).resume()
  await invocation
  return Buffer.concat(chunks)
}

describe('a streaming handler', () => {
  it("writes API Gateway's format: the JSON prelude, eight NUL bytes, then the body's bytes with their length", async () => {
    const handler = streamed(async () => ({
      statusCode: 403,
      headers: { 'content-type': 'application/x-git-receive-pack-result' },
      body: Buffer.from([0, 1, 2, 255]).toString('base64'),
      isBase64Encoded: true,
    }))
    const stream = new ResponseStream()

    const bytes = await written(stream, handler(event, stream as never, context))

    const prelude =
      '{"statusCode":403,"headers":{"content-type":"application/x-git-receive-pack-result","content-length":"4"}}'
    expect(bytes).toEqual(Buffer.concat([Buffer.from(prelude), Buffer.alloc(8), Buffer.from([0, 1, 2, 255])]))
    expect(stream.contentType).toBe(preludeContentType)
  })

  it('sends the status and headers at once and each chunk of a streamed body as it is written', async () => {
    const body = new PassThrough()
    const handler = streamed(async () => ({ statusCode: 200, headers: { 'content-type': 'text/plain' }, body }))
    const stream = new ResponseStream()
    const invocation = handler(event, stream as never, context)

    const prelude = await preludeOf(stream)
    body.write('first ')
    const first = await new Promise<Buffer>((resolve) => stream.once('data', resolve).resume())
    body.end('last')
    const rest = await written(stream, invocation)

    expect(prelude).toEqual({ statusCode: 200, headers: { 'content-type': 'text/plain' } })
    expect(first.toString()).toBe('first ')
    expect(rest.toString()).toBe('last')
  })
})

describe('the local runtime', () => {
  it('joins a global a library made (Powertools keeps its InvokeStore there) rather than replacing it', () => {
    const store = { get: () => undefined }
    const global: { awslambda?: Record<string, unknown> } = { awslambda: { InvokeStore: store } }

    installLambdaRuntime(global)

    expect(global.awslambda?.InvokeStore).toBe(store)
    expect(typeof global.awslambda?.streamifyResponse).toBe('function')
    expect(global.awslambda?.HttpResponseStream).toBeDefined()
  })

  it('refuses a streamed answer that has no HTTP prelude, as API Gateway does', async () => {
    const stream = new ResponseStream()

    stream.end(Buffer.concat([Buffer.from('{"statusCode":200}'), Buffer.alloc(8), Buffer.from('body')]))

    await expect(preludeOf(stream)).rejects.toThrow('not an HTTP prelude')
  })
})
