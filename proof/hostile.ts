// Proof 3: a generated hostile corpus over every route of the route table (fast-check, a fixed seed so a
// run can be repeated): wrong and foreign ids, traversal, control characters and lone surrogates, junk
// and unknown query parameters, bodies of every JSON shape (deep, huge, wrong types), wrong media types,
// no, bad and doubled credentials. No answer may be a 5xx, every error must be the envelope, and a
// refused write must leave the table as it was (rate-limit windows aside: counting a refused request is
// the point of them).
import { ScanCommand } from '@aws-sdk/lib-dynamodb'
import fc from 'fast-check'
import { documents } from '../shared/aws/clients.js'
import { tableName } from '../shared/data/db.js'
import * as keys from '../shared/data/keys.js'
import { routeTable } from '../shared/routes/index.js'
import type { RouteSpec } from '../shared/routes/route.js'
import type { Row } from './kill-worker.js'
import { newRepository, say, signIn, startInProcess } from './support.js'

const seed = Number(process.env.PROOF_SEED ?? 20261205)

/** Everything in the table but rate-limit windows, as one string to compare. */
async function tableState(): Promise<string> {
  const items: string[] = []
  let startKey: Record<string, unknown> | undefined
  do {
    const page = await documents().send(new ScanCommand({ TableName: tableName(), ExclusiveStartKey: startKey }))
    for (const item of page.Items ?? [])
      if (!String(item.pk).startsWith(keys.rateWindowPrefix)) items.push(JSON.stringify(item))
    startKey = page.LastEvaluatedKey
  } while (startKey)
  return items.sort().join('\n')
}

const hostileText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udfffy',
    '\u001b[31m',
    '../../etc/passwd',
    '%2e%2e%2f',
    'ß'.repeat(300),
  ),
  fc.constantFrom('null', 'true', '-1', '1e309', '9'.repeat(40), '{}', '[]', '<script>', "' OR 1=1 --"),
  fc.string({ minLength: 5000, maxLength: 20000 }),
)

/** An id: the right kind but absent, another kind, or no id at all. */
const hostileId = (real: string[]) =>
  fc.oneof(
    fc.constantFrom(...real),
    fc.constantFrom(
      'prj_01JABCDEFGHJKMNPQRSTVWXYZ0',
      'repo_01JABCDEFGHJKMNPQRSTVWXYZ0',
      'ws_01JABCDEFGHJKMNPQRSTVWXYZ0',
    ),
    fc.constantFrom(
      'scan_01JABCDEFGHJKMNPQRSTVWXYZ0',
      'fnd_01JABCDEFGHJKMNPQRSTVWXYZ0',
      'usr_01JABCDEFGHJKMNPQRSTVWXYZ0',
    ),
    hostileText,
  )

const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.json().map((text) => JSON.parse(text)),
  fc.jsonValue({ maxDepth: 2 }),
  fc.dictionary(
    fc.constantFrom(
      'name',
      'description',
      'project_id',
      'repository_id',
      'email',
      'role',
      'password',
      'engines',
      'rules',
      'default',
      'max_cost',
      'reason',
      'scopes',
      'workspace_id',
    ),
    fc.oneof(hostileText, fc.jsonValue({ maxDepth: 1 })),
  ),
)
/** Deep nesting, as text: the parser's limit, not the stack, must give way first. */
const deepJson = fc.integer({ min: 100, max: 100_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth))

/** Percent-encoding that also sends a lone surrogate, as its (invalid) UTF-8 bytes: what a client may send. */
function percentEncoded(value: string): string {
  let out = ''
  for (const char of value) {
    const code = char.charCodeAt(0)
    out +=
      char.length === 1 && code >= 0xd800 && code <= 0xdfff
        ? [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
            .map((byte) => `%${byte.toString(16).toUpperCase()}`)
            .join('')
        : encodeURIComponent(char)
  }
  return out
}

interface HostileRequest {
  path: string
  query: [string, string][]
  body: { kind: 'json'; value: unknown } | { kind: 'text'; value: string } | { kind: 'none' }
  contentType: string | undefined
  auth: 'owner' | 'none' | 'garbage' | 'two'
}

function requestsFor(spec: RouteSpec, realIds: string[]): fc.Arbitrary<HostileRequest> {
  const names = [...spec.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!)
  const knownQuery = Object.keys(spec.query?.shape ?? {})
  return fc.record({
    path: fc
      .tuple(...names.map(() => hostileId(realIds)))
      .map((values) =>
        values.reduce<string>((path, value, i) => path.replace(`{${names[i]}}`, percentEncoded(value)), spec.path),
      ),
    query: fc.array(
      fc.tuple(fc.oneof(fc.constantFrom(...knownQuery, 'limit', 'cursor', 'x'), hostileText), hostileText),
      {
        maxLength: 3,
      },
    ),
    body: fc.oneof(
      hostileJson.map((value) => ({ kind: 'json' as const, value })),
      hostileText.map((value) => ({ kind: 'text' as const, value })),
      deepJson.map((value) => ({ kind: 'text' as const, value })),
      fc.constant({ kind: 'none' as const }),
    ),
    contentType: fc.constantFrom(
      undefined,
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=latin1',
    ),
    auth: fc.constantFrom('owner', 'owner', 'owner', 'none', 'garbage', 'two'),
  })
}

export async function hostileProof(perRoute: number): Promise<Row[]> {
  const local = await startInProcess({ throttle: false })
  try {
    const api = await signIn(local.stack.url)
    const repositoryId = await newRepository(api, 'hostile')
    const repository = (await api.call('GET', `/v1/repositories/${repositoryId}`)).json
    const me = (await api.call('GET', '/v1/auth/me')).json
    const realIds = [repositoryId, repository.project_id, repository.workspace_id, me.id].filter(Boolean)

    let sent = 0
    let refusedWrites = 0
    const fiveHundreds: string[] = []
    const notEnvelopes: string[] = []
    const stored: string[] = []
    const statuses = new Map<number, number>()
    const routes = Object.values(routeTable as Record<string, RouteSpec>)
    say(`hostile: ${perRoute} requests on each of ${routes.length} routes (seed ${seed})`)
    for (const [index, spec] of routes.entries()) {
      const samples = fc.sample(requestsFor(spec, realIds), { seed: seed + index, numRuns: perRoute })
      for (const request of samples) {
        const query = new URLSearchParams(request.query).toString()
        const url = `${local.stack.url}${request.path}${query ? `?${query}` : ''}`
        const headers: Record<string, string> = {}
        if (request.contentType) headers['content-type'] = request.contentType
        if (request.auth === 'owner' || request.auth === 'two') headers.authorization = `Bearer ${api.token}`
        if (request.auth === 'two') headers['private-token'] = 'vega_live_0000000000000000000000000000000000'
        if (request.auth === 'garbage') headers.authorization = `Bearer ${'\u00ff'.repeat(3)}.e30.x`
        const body =
          spec.method === 'GET' || request.body.kind === 'none'
            ? undefined
            : request.body.kind === 'json'
              ? JSON.stringify(request.body.value)
              : request.body.value
        const writes = spec.method !== 'GET'
        const before = writes ? await tableState() : ''
        let answer: Response
        try {
          answer = await fetch(url, { method: spec.method, headers, body })
        } catch (error) {
          fiveHundreds.push(`${spec.method} ${request.path}: no answer (${(error as Error).message})`)
          continue
        }
        sent++
        const text = await answer.text()
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1)
        const where = `${spec.method} ${spec.path} → ${answer.status}`
        if (answer.status >= 500) fiveHundreds.push(`${where}: ${text.slice(0, 200)}`)
        if (answer.status >= 400) {
          const envelope = (() => {
            try {
              return JSON.parse(text) as {
                error?: { code?: string; message?: string; details?: { request_id?: string } }
              }
            } catch {
              return undefined
            }
          })()
          if (!envelope?.error?.code || !envelope.error.message || !envelope.error.details?.request_id)
            notEnvelopes.push(`${where}: ${text.slice(0, 120)}`)
          if (writes) {
            refusedWrites++
            if ((await tableState()) !== before) stored.push(where)
          }
        }
      }
    }
    const spread = [...statuses.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, count]) => `${status}×${count}`)
      .join(' ')
    for (const line of [...fiveHundreds, ...notEnvelopes, ...stored].slice(0, 20)) say(`hostile: ${line}`)
    return [
      {
        check: `hostile corpus over ${routes.length} routes (seed ${seed}): ${spread}`,
        measured: `${fiveHundreds.length} answers ≥ 500 of ${sent}`,
        holds: fiveHundreds.length === 0 && sent >= 1000,
      },
      {
        check: 'every error is the envelope (code, message, request_id)',
        measured: `${notEnvelopes.length} not`,
        holds: notEnvelopes.length === 0,
      },
      {
        check: 'nothing stored from a refused write',
        measured: `${stored.length} of ${refusedWrites} refused writes changed the table`,
        holds: stored.length === 0,
      },
    ]
  } finally {
    await local.stop()
  }
}
