// An answer that is not the route's JSON: HTML, git protocol bytes, CSV, or JSON with extra headers.
export class Reply {
  constructor(
    readonly status: number,
    readonly body: string | Uint8Array | undefined,
    readonly headers: Record<string, string> = {},
  ) {}

  static json(data: unknown, status = 200, headers: Record<string, string> = {}) {
    return new Reply(status, JSON.stringify(data), { 'content-type': 'application/json', ...headers })
  }

  static bytes(body: Uint8Array, contentType: string, headers: Record<string, string> = {}, status = 200) {
    return new Reply(status, body, { 'content-type': contentType, ...headers })
  }

  static text(body: string, contentType: string, headers: Record<string, string> = {}, status = 200) {
    return new Reply(status, body, { 'content-type': contentType, ...headers })
  }
}
