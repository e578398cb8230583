import { afterEach, describe, expect, it, vi } from 'vitest'
import { handler as auth } from '../../functions/auth/handler.js'
import { handler as docs } from '../../functions/docs/handler.js'
import { handler as projects } from '../../functions/projects/handler.js'
import { handler as sessions } from '../../functions/sessions/handler.js'
import { type Handlers, idempotency, lambda, lists, notBuilt } from '../../shared/api/lambda.js'
import { ErrorEnvelope } from '../../shared/http/envelope-schema.js'
import { conflict } from '../../shared/http/errors.js'
import { route } from '../../shared/routes/route.js'
import * as z from '../../shared/zod.js'
import { call, newOwner } from '../support/identity.js'
import { type Answer, invoke } from '../support/invoke.js'
import { captureLogs } from '../support/logs.js'

// A small route table of its own, to drive each path of the middleware from a real handler.
const Widget = z.object({ id: z.string(), name: z.string() })
const testRoutes = {
  createWidget: route({
    group: 'projects',
    method: 'POST',
    path: '/v1/projects',
    summary: 'test',
    auth: 'none',
    body: z.strictObject({ name: z.string().check(z.minLength(1)), size: z.optional(z.number().check(z.int())) }),
    ok: Widget,
    status: 201,
  }),
  listWidgets: route({
    group: 'projects',
    method: 'GET',
    path: '/v1/projects/{id}/scans',
    summary: 'test',
    auth: 'none',
    params: z.object({ id: z.string().check(z.regex(/^prj_\w+$/)) }),
    query: z.object({ limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(200)), 50) }),
    ok: Widget,
  }),
  getWidget: route({
    group: 'projects',
    method: 'GET',
    path: '/v1/projects/{id}',
    summary: 'test',
    auth: 'none',
    params: z.object({ id: z.string() }),
    ok: Widget,
  }),
  deleteWidget: route({
    group: 'projects',
    method: 'DELETE',
    path: '/v1/projects/{id}',
    summary: 'test',
    auth: 'none',
    status: 204,
  }),
  // A route with a role whose handler forgets to check it (a renamed parameter, a new code path).
  forgetfulWidget: route({
    group: 'projects',
    method: 'GET',
    path: '/v1/projects/{id}/rollup',
    summary: 'test',
    auth: 'user',
    role: 'viewer',
    params: z.object({ id: z.string() }),
    ok: Widget,
  }),
  // A path of the real table (this dispatcher resolves templates as API Gateway does) with no implementation.
  archiveWidget: route({
    group: 'projects',
    method: 'PUT',
    path: '/v1/projects/{id}',
    summary: 'test',
    auth: 'user',
    params: z.object({ id: z.string() }),
    ok: Widget,
  }),
} as const

const stored: unknown[] = []
const testHandler = lambda(testRoutes, {
  createWidget: ({ body }) => {
    stored.push(body)
    return { id: 'w1', name: body.name }
  },
  listWidgets: ({ params, query }) => ({ id: params.id, name: `limit=${query.limit}` }),
  getWidget: ({ params }) => {
    if (params.id === 'taken') throw conflict('Widget taken is busy', { widget: 'taken' })
    if (params.id === 'leaky') return { id: 'leaky', name: 'ok', pk: 'WS#secret', password_hash: 'scrypt$…' }
    // A handler bug: the answer lacks a field its schema requires, and carries a value that must not leak.
    if (params.id === 'broken') return { id: 'broken', name: 42, token: 'vgu_hunter2' } as never
    throw new Error('connect ECONNREFUSED 10.0.0.7:5432 password=hunter2')
  },
  deleteWidget: () => undefined,
  forgetfulWidget: ({ params }) => ({ id: params.id, name: 'another workspace’s widget' }),
  archiveWidget: notBuilt,
} satisfies Handlers<typeof testRoutes>)

const json = { 'content-type': 'application/json' }

function expectEnvelope(answer: Answer, status: number, code: string) {
  expect(answer.status).toBe(status)
  expect(answer.headers['content-type']).toBe('application/json')
  expect(ErrorEnvelope.parse(answer.json).error.code).toBe(code)
  expect(answer.json.error.details.request_id).toBe(answer.headers['x-request-id'])
}

afterEach(() => {
  stored.length = 0
  vi.restoreAllMocks()
})

/** GETs a route of the test handler that fails inside, the error log captured: a 500 internal, and what was logged. */
async function internalError(path: string) {
  const log = captureLogs('ERROR')
  const answer = await invoke(testHandler, { method: 'GET', path })
  log.stop()
  expectEnvelope(answer, 500, 'internal')
  return { answer, logged: log.lines.join('') }
}

describe('authorization declared on the route', () => {
  it('refuses to answer a route with a role whose handler never checked it: 500, and nothing of the answer', async () => {
    const caller = await newOwner()

    const answer = await invoke(testHandler, {
      method: 'GET',
      path: '/v1/projects/prj_other/rollup',
      headers: { authorization: `Bearer ${caller.token}` },
    })

    expectEnvelope(answer, 500, 'internal')
    expect(answer.text).not.toContain('another workspace')
  })
})

describe('what a group takes beside its routes', () => {
  const pagedList = route({
    group: 'projects',
    method: 'GET',
    path: '/v1/projects',
    summary: 'test',
    auth: 'user',
    query: z.object({ cursor: z.optional(z.string()) }),
    ok: Widget,
  })
  const idempotentCreate = route({
    group: 'projects',
    method: 'POST',
    path: '/v1/projects',
    summary: 'test',
    auth: 'user',
    idempotent: true,
    ok: Widget,
  })
  const widget = () => ({ id: 'w1', name: 'w' })

  it('refuses at import a group whose route pages without lists, or is idempotent without idempotency', () => {
    expect(() => lambda({ pagedList }, { pagedList: widget })).toThrow(
      /pagedList pages or validates: its group needs the lists option/,
    )
    expect(() => lambda({ idempotentCreate }, { idempotentCreate: widget })).toThrow(/idempotentCreate is idempotent/)
  })

  it('builds a group given what its routes use', () => {
    expect(() => lambda({ pagedList }, { pagedList: widget }, { lists })).not.toThrow()
    expect(() => lambda({ idempotentCreate }, { idempotentCreate: widget }, { idempotency })).not.toThrow()
  })
})

describe('request ids', () => {
  it('echoes a plain x-request-id on success and on error', async () => {
    const ok = await invoke(testHandler, {
      method: 'POST',
      path: '/v1/projects',
      headers: { ...json, 'X-Request-Id': 'ci-run-42.7' },
      body: '{"name":"a"}',
    })
    const failed = await invoke(testHandler, {
      method: 'GET',
      path: '/v1/projects/taken',
      headers: { 'x-request-id': 'ci-run-43' },
    })

    expect(ok.headers['x-request-id']).toBe('ci-run-42.7')
    expect(failed.headers['x-request-id']).toBe('ci-run-43')
    expect(failed.json.error.details.request_id).toBe('ci-run-43')
  })

  it('replaces an id that could smuggle text into logs with the gateway request id', async () => {
    const answer = await invoke(testHandler, {
      method: 'GET',
      path: '/v1/projects/taken',
      headers: { 'x-request-id': 'a\nlevel=ERROR forged' },
      requestId: 'gw-123',
    })

    expect(answer.headers['x-request-id']).toBe('gw-123')
  })

  it('generates one when none is sent', async () => {
    const answer = await invoke(testHandler, { method: 'DELETE', path: '/v1/projects/x' })

    expect(answer.status).toBe(204)
    expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
  })
})

describe('bodies', () => {
  /** POSTs a body to the create route of the test handler, as JSON unless other headers are given. */
  const postProject = (body?: string, headers: Record<string, string> = json) =>
    invoke(testHandler, { method: 'POST', path: '/v1/projects', headers, body })

  it('parses a JSON body, answers with the route status, and stores it once', async () => {
    const answer = await postProject('{"name":"a","size":3}')

    expect(answer.status).toBe(201)
    expect(answer.json).toEqual({ id: 'w1', name: 'a' })
    expect(stored).toEqual([{ name: 'a', size: 3 }])
  })

  it('answers 400 bad_request to malformed JSON without echoing it', async () => {
    const answer = await postProject('{"name": sk_live_abc')

    expectEnvelope(answer, 400, 'bad_request')
    expect(answer.text).not.toContain('sk_live_abc')
    expect(stored).toEqual([])
  })

  it('answers 400 bad_request to a body that is not JSON by its content type', async () => {
    const answer = await postProject('name=a', { 'content-type': 'text/plain' })

    expectEnvelope(answer, 400, 'bad_request')
    expect(stored).toEqual([])
  })

  it('answers 415 to a content encoding it does not decode', async () => {
    const answer = await postProject('{"name":"a"}', { ...json, 'content-encoding': 'gzip' })

    expectEnvelope(answer, 415, 'unsupported_media_type')
    expect(stored).toEqual([])
  })

  it('answers 413 naming the limit to a body over 256 KiB', async () => {
    const body = JSON.stringify({ name: 'x'.repeat(300 * 1024) })

    const answer = await postProject(body)

    expectEnvelope(answer, 413, 'payload_too_large')
    expect(answer.json.error.details.limit_bytes).toBe(256 * 1024)
    expect(stored).toEqual([])
  })

  it('answers 422 validation_failed with the path and message of each issue', async () => {
    const answer = await postProject('{"name":"","size":1.5,"extra":1}')

    expectEnvelope(answer, 422, 'validation_failed')
    const paths = answer.json.error.details.issues.map((issue: { path: string }) => issue.path).sort()
    expect(paths).toEqual(['body', 'body.name', 'body.size'])
    for (const issue of answer.json.error.details.issues) expect(issue.message).toEqual(expect.any(String))
    expect(stored).toEqual([])
  })

  it('treats an empty body as an empty object, so required fields are reported', async () => {
    const answer = await postProject()

    expectEnvelope(answer, 422, 'validation_failed')
    expect(answer.json.error.details.issues[0].path).toBe('body.name')
  })
})

describe('HEAD and Location', () => {
  it('answers HEAD on every GET route as the GET, without the body', async () => {
    const get = await invoke(testHandler, { method: 'GET', path: '/v1/projects/prj_1/scans', query: 'limit=3' })
    const head = await invoke(testHandler, { method: 'HEAD', path: '/v1/projects/prj_1/scans', query: 'limit=3' })

    expect(head.status).toBe(200)
    expect(head.text).toBe('')
    expect(head.headers['content-type']).toBe('application/json')
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(get.text)))
  })

  it('points a 201 at what it created and a 202 at what to poll, with a Location that reads it', async () => {
    const owner = await newOwner()
    const project = await call(projects, 'POST', '/v1/projects', { as: owner.token, body: { name: `p-${Date.now()}` } })
    const path = new URL(project.headers.location!).pathname
    const read = await call(projects, 'GET', path, { as: owner.token })

    expect(project.status).toBe(201)
    expect(path).toBe(`/v1/projects/${project.json.id}`)
    expect(read.json.id).toBe(project.json.id)
  })
})

describe('plain text', () => {
  it('refuses a name holding NUL, a line break or a lone surrogate with 422 naming the field, and stores nothing', async () => {
    const bodies = ['{"name":"a\\u0000b"}', '{"name":"two\\nlines"}', '{"name":"half \\ud800 pair"}']

    const answers = []
    for (const body of bodies)
      answers.push(await invoke(testHandler, { method: 'POST', path: '/v1/projects', headers: json, body }))

    for (const answer of answers) {
      expectEnvelope(answer, 422, 'validation_failed')
      expect(answer.json.error.details.issues[0].path).toBe('body.name')
    }
    expect(answers[2]!.json.error.details.issues[0].message).toMatch(/surrogate/)
    expect(stored).toEqual([])
  })

  it('refuses control characters in a query value, and takes tabs and line breaks in free text', async () => {
    const owner = await newOwner()
    const escaped = await invoke(testHandler, { method: 'GET', path: '/v1/projects/prj_1/scans', query: 'limit=%1B5' })
    const described = await call(projects, 'POST', '/v1/projects', {
      as: owner.token,
      body: { name: `p-${Date.now()}`, description: 'first line\n\tsecond line' },
    })
    const bell = await call(projects, 'POST', '/v1/projects', {
      as: owner.token,
      body: { name: `p-${Date.now()}`, description: 'ring \u0007' },
    })

    expectEnvelope(escaped, 422, 'validation_failed')
    expect(escaped.json.error.details.issues[0].path).toBe('query.limit')
    expect(described.status).toBe(201)
    expectEnvelope(bell, 422, 'validation_failed')
    expect(bell.json.error.details.issues[0].path).toBe('body.description')
  })
})

describe('query and path parameters', () => {
  it('coerces and defaults query parameters', async () => {
    const given = await invoke(testHandler, { method: 'GET', path: '/v1/projects/prj_1/scans', query: 'limit=7' })
    const defaulted = await invoke(testHandler, { method: 'GET', path: '/v1/projects/prj_1/scans' })

    expect(given.json.name).toBe('limit=7')
    expect(defaulted.json.name).toBe('limit=50')
  })

  it('answers 422 to an out-of-range query parameter, naming it', async () => {
    const answer = await invoke(testHandler, { method: 'GET', path: '/v1/projects/prj_1/scans', query: 'limit=500' })

    expectEnvelope(answer, 422, 'validation_failed')
    expect(answer.json.error.details.issues[0].path).toBe('query.limit')
  })

  it('answers 400 to a query parameter given twice', async () => {
    const answer = await invoke(testHandler, {
      method: 'GET',
      path: '/v1/projects/prj_1/scans',
      query: 'limit=1&limit=2',
    })

    expectEnvelope(answer, 400, 'bad_request')
  })

  it('answers 400 naming the query parameters a route does not take, and runs nothing', async () => {
    const misspelt = await invoke(testHandler, {
      method: 'GET',
      path: '/v1/projects/prj_1/scans',
      query: 'limit=5&workspace_id=ws_1',
    })
    const noneTaken = await invoke(testHandler, {
      method: 'POST',
      path: '/v1/projects',
      query: 'dry_run=1',
      headers: json,
      body: '{"name":"a"}',
    })

    expectEnvelope(misspelt, 400, 'bad_request')
    expect(misspelt.json.error.message).toBe('Unknown query parameter: workspace_id')
    expect(misspelt.json.error.details).toMatchObject({ unknown: ['workspace_id'], accepted: ['limit'] })
    expectEnvelope(noneTaken, 400, 'bad_request')
    expect(noneTaken.json.error.details).toMatchObject({ unknown: ['dry_run'], accepted: [] })
    expect(stored).toEqual([])
  })

  it('refuses an unknown query parameter on a real route too (who-am-I takes no workspace_id)', async () => {
    const owner = await newOwner()
    const answer = await call(auth, 'GET', '/v1/auth/me', { as: owner.token, query: 'workspace_id=ws_x' })

    expectEnvelope(answer, 400, 'bad_request')
    expect(answer.json.error.details.unknown).toEqual(['workspace_id'])
  })

  it('answers 404 to a malformed id, as to an unknown one, without echoing it', async () => {
    const answer = await invoke(testHandler, { method: 'GET', path: '/v1/projects/%3Cscript%3E/scans' })

    expectEnvelope(answer, 404, 'not_found')
    expect(answer.text).not.toContain('<script>')
  })
})

describe('routing', () => {
  it('answers 404 not_found to a path outside the table', async () => {
    const answer = await invoke(projects, { method: 'GET', path: '/v1/nope' })

    expectEnvelope(answer, 404, 'not_found')
  })

  it('answers 405 with Allow to a wrong method on a known path', async () => {
    const answer = await invoke(projects, { method: 'POST', path: '/v1/projects/prj_01JABCDEFGHJKMNPQRSTVWXYZ0' })

    expectEnvelope(answer, 405, 'method_not_allowed')
    expect(answer.headers.allow?.split(', ').sort()).toEqual(['DELETE', 'GET', 'HEAD', 'PATCH', 'PUT'])
  })

  it('answers 501 not_implemented, naming the route, for a contract route not built yet', async () => {
    const { token } = await newOwner()

    const answer = await call(testHandler, 'PUT', '/v1/projects/w1', { as: token })

    expectEnvelope(answer, 501, 'not_implemented')
    expect(answer.json.error.details.route).toBe('archiveWidget')
  })

  it('lets a configured dashboard origin read answers (errors too), and no other origin', async () => {
    const allowed = await invoke(docs, {
      method: 'GET',
      path: '/v1/deprecations',
      headers: { origin: 'https://dashboard.example.com' },
    })
    const refused = await invoke(testHandler, {
      method: 'GET',
      path: '/v1/projects/taken',
      headers: { origin: 'https://dashboard.example.com' },
    })
    const stranger = await invoke(docs, {
      method: 'GET',
      path: '/v1/deprecations',
      headers: { origin: 'https://evil.example.com' },
    })

    expect(allowed.headers['access-control-allow-origin']).toBe('https://dashboard.example.com')
    expect(allowed.headers.vary).toContain('Origin')
    expect(allowed.headers['access-control-expose-headers']).toContain('x-request-id')
    expect(refused.status).toBe(409)
    expect(refused.headers['access-control-allow-origin']).toBe('https://dashboard.example.com')
    expect(stranger.headers['access-control-allow-origin']).toBeUndefined()
  })

  it("keeps a list's own Vary beside CORS's Origin, so caches key on both", async () => {
    const { token } = await newOwner()

    const list = await call(projects, 'GET', '/v1/projects', {
      as: token,
      headers: { origin: 'https://dashboard.example.com' },
    })

    expect(list.status).toBe(200)
    expect(list.headers.vary?.split(/,\s*/)).toEqual(expect.arrayContaining(['Origin', 'Authorization']))
  })

  it('marks every answer of a deprecated route with Deprecation, Sunset and a successor Link', async () => {
    const answer = await invoke(sessions, { method: 'GET', path: '/v1/sessions/ses_01JABCDEFGHJKMNPQRSTVWXYZ0' })

    expect(answer.status).toBe(401)
    expect(answer.headers.deprecation).toMatch(/^@\d+$/)
    expect(Date.parse(answer.headers.sunset!)).toBeGreaterThan(Date.now())
    expect(answer.headers.link).toContain('rel="successor-version"')
  })

  it('keeps deprecation headers off routes that are not deprecated', async () => {
    const answer = await invoke(docs, { method: 'GET', path: '/v1/deprecations' })

    expect(answer.status).toBe(200)
    expect(answer.headers.deprecation).toBeUndefined()
    // The list envelope every list has.
    expect(Object.keys(answer.json).sort()).toEqual(['items', 'next_cursor'])
    expect(answer.json.next_cursor).toBeNull()
  })
})

describe('errors', () => {
  it('writes a thrown ApiError as the envelope with its details', async () => {
    const answer = await invoke(testHandler, { method: 'GET', path: '/v1/projects/taken' })

    expectEnvelope(answer, 409, 'conflict')
    expect(answer.json.error).toMatchObject({
      message: 'Widget taken is busy',
      retryable: false,
      details: { widget: 'taken' },
    })
  })

  it('turns an unexpected error into 500 internal that leaks nothing, and logs the cause', async () => {
    const { answer, logged } = await internalError('/v1/projects/boom')

    expect(answer.json.error.retryable).toBe(true)
    for (const secret of ['ECONNREFUSED', 'hunter2', '10.0.0.7', 'at ']) expect(answer.text).not.toContain(secret)
    expect(logged).toContain('ECONNREFUSED')
    expect(logged).toContain(answer.json.error.details.request_id)
  })

  it('writes only the fields of the response schema, so internal attributes never leave', async () => {
    const answer = await invoke(testHandler, { method: 'GET', path: '/v1/projects/leaky' })

    expect(answer.json).toEqual({ id: 'leaky', name: 'ok' })
  })

  it('answers 500 internal, not a 422 blaming the request, when a handler answer fails its schema', async () => {
    const { answer, logged } = await internalError('/v1/projects/broken')

    expect(answer.text).not.toContain('vgu_hunter2')
    expect(logged).toContain('the answer of getWidget fails its schema: name:')
    expect(logged).not.toContain('vgu_hunter2')
  })
})
