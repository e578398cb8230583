// Lambda response streaming, for the routes the gateway streams (a route marked `streams`): API Gateway's
// STREAM integration invokes the function with InvokeWithResponseStream, reads a JSON prelude (status and
// headers) and eight NUL bytes, then passes the body on as it is written, for up to 15 minutes
// (docs/decisions.md, "Response streaming"). The runtime's global `awslambda` does the framing; the local
// gateway provides the same global (infra/local/lambda-runtime.ts).
// middy's own streaming mode would do, but it writes a string body as text, and a buffered answer's body
// here is base64 (git refusals, the error envelope): this adapter writes bytes.
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { APIGatewayProxyEvent, Context, StreamifyHandler } from 'aws-lambda'
import { type ApiResult, isStreamed, type StreamedResult } from '../http/reply.js'

export type StreamingHandler = StreamifyHandler<APIGatewayProxyEvent, void>

/**
 * The runtime's global, absent outside Lambda (and before the local gateway installed its own); libraries
 * may have made one without it (Powertools keeps its InvokeStore there).
 */
const runtime = () => (typeof awslambda === 'undefined' || !awslambda.streamifyResponse ? undefined : awslambda)

/** A handler that writes the answer of `answer` to Lambda's response stream, its body as it comes. */
export function streamed(
  answer: (event: APIGatewayProxyEvent, context: Context) => Promise<ApiResult>,
): StreamingHandler {
  const write: StreamingHandler = async (event, responseStream, context) => {
    const result = await answer(event, context)
    const lambda = runtime()
    if (!lambda) throw new Error('response streaming needs the Lambda runtime (the global awslambda)')
    // An answer made whole goes as one, with its length, as it would through a buffered integration.
    const whole = isStreamed(result) ? undefined : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8')
    const http = lambda.HttpResponseStream.from(responseStream, {
      statusCode: result.statusCode,
      headers: { ...result.headers, ...(whole ? { 'content-length': String(whole.length) } : {}) },
    })
    // The runtime writes the prelude before the first write: status and headers go now, not with the body.
    http.write('')
    await pipeline(whole ? Readable.from([whole]) : (result as StreamedResult).body, http)
  }
  // Marked at load when the runtime is there (in Lambda, before the handler is first invoked).
  return runtime()?.streamifyResponse(write) ?? write
}
