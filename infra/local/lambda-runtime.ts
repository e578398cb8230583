// Lambda response streaming on one machine, both ends of it. The function's end: the global `awslambda`
// that Lambda's Node.js runtime gives a streaming handler (streamifyResponse, and HttpResponseStream.from,
// which writes a JSON prelude with the status and headers, then eight NUL bytes, before the body). The
// gateway's end: API Gateway's STREAM integration reads that prelude off the stream, answers with its
// status and headers, then passes each chunk of the body on as it arrives.
import { PassThrough, type Writable } from 'node:stream'

/** What the runtime sets as the stream's content type once a prelude is written (API Gateway requires it). */
export const preludeContentType = 'application/vnd.awslambda.http-integration-response'
const delimiter = Buffer.alloc(8)

export interface Prelude {
  statusCode: number
  headers?: Record<string, string>
}

/** The stream a streaming handler writes to, as the runtime hands it over. */
export class ResponseStream extends PassThrough {
  contentType = 'application/octet-stream'

  setContentType(contentType: string) {
    this.contentType = contentType
  }
}

const runtime = {
  streamifyResponse: <T>(handler: T): T => handler,
  HttpResponseStream: {
    from(stream: Writable, prelude: Prelude): Writable {
      ;(stream as ResponseStream).setContentType(preludeContentType)
      // The runtime writes these just before the handler's first write; the handler writes at once.
      stream.write(JSON.stringify(prelude))
      stream.write(delimiter)
      return stream
    },
  },
}

/**
 * Installs the runtime's global for the handlers this process runs, as Lambda's runtime does before loading
 * them. Libraries may have made the global already (Powertools keeps its InvokeStore there): joined, not replaced.
 */
export function installLambdaRuntime(global: { awslambda?: Record<string, unknown> } = globalThis) {
  global.awslambda ??= {}
  global.awslambda.streamifyResponse ??= runtime.streamifyResponse
  global.awslambda.HttpResponseStream ??= runtime.HttpResponseStream
}

/**
 * The gateway's end: the prelude once it has arrived whole; the stream then holds the body, paused, for
 * the caller to pipe on.
 */
export function preludeOf(stream: ResponseStream): Promise<Prelude> {
  return new Promise((resolve, reject) => {
    let seen = Buffer.alloc(0)
    const stop = () => {
      stream.off('data', onData).off('end', onEnd).off('error', reject)
      stream.pause()
    }
    const onData = (chunk: Buffer) => {
      seen = Buffer.concat([seen, chunk])
      const at = seen.indexOf(delimiter)
      if (at === -1) return
      stop()
      const rest = seen.subarray(at + delimiter.length)
      if (rest.length) stream.unshift(rest)
      if (stream.contentType !== preludeContentType)
        return reject(new Error(`a streamed answer's content type is ${stream.contentType}, not an HTTP prelude`))
      try {
        resolve(JSON.parse(seen.subarray(0, at).toString('utf8')) as Prelude)
      } catch {
        reject(new Error("a streamed answer's prelude is not JSON"))
      }
    }
    const onEnd = () => {
      stop()
      reject(new Error('a streamed answer ended before its prelude'))
    }
    stream.on('data', onData).on('end', onEnd).on('error', reject)
  })
}
