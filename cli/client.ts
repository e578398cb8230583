// The typed client of the public API: openapi-fetch over the paths openapi-typescript generated from
// docs/openapi.json (`npm run api-types`). The CLI talks to Vega through this alone.
import createClient, { type Client } from 'openapi-fetch'
import type { paths } from './api.js'

export type Api = Client<paths>

/** An answer outside 2xx: the API's envelope, said in one line (exit code 3). */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${status} ${code}: ${message}`)
  }
}

export function apiClient(base: string, credential: string): Api {
  const client = createClient<paths>({ baseUrl: base.replace(/\/+$/, '') })
  client.use({
    onRequest: ({ request }) => {
      request.headers.set('authorization', `Bearer ${credential}`)
      return request
    },
  })
  return client
}

/** The data of an openapi-fetch answer, or an ApiFailure naming the envelope's code and message. */
export function dataOf<T>(answer: { data?: T; error?: unknown; response: Response }): T {
  if (answer.response.ok && answer.data !== undefined) return answer.data
  const envelope = (answer.error as { error?: { code?: string; message?: string } } | undefined)?.error
  throw new ApiFailure(
    answer.response.status,
    envelope?.code ?? 'error',
    envelope?.message ?? answer.response.statusText,
  )
}
