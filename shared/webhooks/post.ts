// One attempt of one delivery: a POST of the event's bytes, answered within the attempt's time or
// abandoned. Redirects are not followed (a 3xx fails the attempt: following one would go wherever the
// receiver says, past the checks). Only the status is kept of the answer, never its body.
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { ForbiddenAddress, guardedLookup, refusalOf } from './address.js'

export interface AttemptResult {
  status_code: number | null
  duration_ms: number
  /** `unexpected_status`, `timeout`, `forbidden_address`, `dns`, `connection_refused`, `tls`, `network`… */
  error: string | null
}

/** How much of an answer is read (and dropped) before the connection is closed. */
const answerBytes = 64 * 1024

export async function postDelivery(
  url: string,
  body: string,
  headers: Record<string, string>,
  { timeoutMs, allowLocal }: { timeoutMs: number; allowLocal: boolean },
): Promise<AttemptResult> {
  const started = performance.now()
  const took = () => Math.round(performance.now() - started)
  // An address literal is judged here (no lookup runs for one); a name, by the connection's own lookup.
  const refused = refusalOf(url, allowLocal)
  if (refused) return { status_code: null, duration_ms: 0, error: refused.kind }
  const target = new URL(url)
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise<AttemptResult>((resolve) => {
    let settled = false
    const finish = (result: Omit<AttemptResult, 'duration_ms'>) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      request.destroy()
      resolve({ ...result, duration_ms: took() })
    }
    const request = send(target, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: guardedLookup(allowLocal),
      // A connection of its own each time: a pooled socket would skip the lookup and its check.
      agent: false,
    })
    const timer = setTimeout(() => finish({ status_code: null, error: 'timeout' }), timeoutMs)
    request.on('response', (answer: IncomingMessage) => {
      const status = answer.statusCode ?? null
      const outcome = {
        status_code: status,
        error: status !== null && status >= 200 && status < 300 ? null : 'unexpected_status',
      }
      let read = 0
      answer.on('data', (chunk: Buffer) => {
        read += chunk.length
        if (read > answerBytes) finish(outcome)
      })
      answer.on('end', () => finish(outcome))
      answer.on('error', () => finish(outcome))
    })
    request.on('error', (error) => finish({ status_code: null, error: classify(error) }))
    request.end(body)
  })
}

function classify(error: Error): string {
  if (error instanceof ForbiddenAddress) return 'forbidden_address'
  const code = (error as { code?: string }).code ?? ''
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns'
  if (code === 'ECONNREFUSED') return 'connection_refused'
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'connection_reset'
  if (/CERT|TLS|SSL|SELF_SIGNED/.test(code)) return 'tls'
  return 'network'
}
