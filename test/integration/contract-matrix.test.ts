// The contract as a careful client reads it, generated from the route table: every GET the owner can
// read answers HEAD alike (same status, headers, no body), every list has the list envelope, every
// timestamp in every answer is in the one format (`2026-12-05T09:30:00.000Z`), and every create answers a
// Location that reads back. A new route joins by being in the table.
import { describe, expect, it } from 'vitest'
import type { ApiHandler } from '../../shared/api/lambda.js'
import { routeTable } from '../../shared/routes/index.js'
import type { Group, RouteSpec } from '../../shared/routes/route.js'
import { call, newOwner } from '../support/identity.js'
import { toolLog, toolResult } from '../support/sarif-logs.js'

const handlers = new Map<Group, ApiHandler>()
const handlerOf = async (group: Group) => {
  if (!handlers.has(group)) handlers.set(group, (await import(`../../functions/${group}/handler.ts`)).handler)
  return handlers.get(group)!
}

const timestampLike = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/
const oneFormat = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

/** Every string of an answer that reads as a timestamp, with where it sits. */
function timestampsIn(value: unknown, at = '$'): [string, string][] {
  if (typeof value === 'string') return timestampLike.test(value) ? [[at, value]] : []
  if (Array.isArray(value)) return value.flatMap((item, index) => timestampsIn(item, `${at}[${index}]`))
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, item]) => timestampsIn(item, `${at}.${key}`))
  return []
}

const isList = (spec: RouteSpec) => {
  const shape = (spec.ok as { shape?: Record<string, unknown> } | undefined)?.shape
  return !!shape && 'items' in shape && 'next_cursor' in shape
}

describe('the contract, route by route', () => {
  it('answers HEAD as GET, lists in the envelope, timestamps in one format, and Location on every create', async () => {
    const owner = await newOwner('contract')
    const creates: { routeId: string; status: number; location?: string }[] = []
    const create = async (routeId: string, path: string, body: unknown) => {
      const spec = (routeTable as Record<string, RouteSpec>)[routeId]!
      const answer = await call(await handlerOf(spec.group), 'POST', path, { as: owner.token, body })
      creates.push({ routeId, status: answer.status, location: answer.headers.location })
      return answer.json
    }
    const project = await create('createProject', '/v1/projects', { name: 'contract' })
    const repository = await create('createRepository', '/v1/repositories', { project_id: project.id, name: 'r' })
    const upload = await create('createGitUpload', '/v1/git-uploads', { repository_id: repository.id })
    const session = await create('createSession', '/v1/sessions', { repository_id: repository.id, format: 'zip' })
    const member = await create('addMember', `/v1/workspaces/${owner.workspaceId}/members`, {
      email: `contract-${Date.now()}@example.com`,
      role: 'viewer',
    })
    const apiKey = await create('createApiKey', '/v1/api-keys', { name: 'k', scopes: ['read'] })
    const sarif = toolLog('semgrep', [{ id: 'x' }], [toolResult('x', 'a.py')])
    const imported = await create('importSarif', `/v1/repositories/${repository.id}/sarif`, sarif)
    const suppression = await create('createSuppression', `/v1/repositories/${repository.id}/suppressions`, {
      rule: 'x',
      reason: 'contract',
    })
    const webhook = await create('createWebhook', '/v1/webhooks', {
      url: 'https://hooks.example.com/contract',
      events: ['scan.succeeded'],
    })
    const ping = await create('pingWebhook', `/v1/webhooks/${webhook.id}/ping`, undefined)
    const findings = await call(await handlerOf('repositories'), 'GET', `/v1/repositories/${repository.id}/findings`, {
      as: owner.token,
    })
    const ids: Record<string, Record<string, string>> = {
      '/v1/workspaces/{id}': { id: owner.workspaceId, userId: member.user_id },
      '/v1/projects/{id}': { id: project.id },
      '/v1/repositories/{id}': {
        id: repository.id,
        scanId: imported.scan_id,
        findingId: findings.json.items[0]?.id,
        suppressionId: suppression.id,
      },
      '/v1/git-uploads/{id}': { id: upload.id },
      '/v1/sessions/{id}': { id: session.id },
      '/v1/api-keys/{id}': { id: apiKey.id },
      '/v1/scans/{scanId}': { scanId: imported.scan_id },
      '/v1/webhooks/{id}': { id: webhook.id, deliveryId: ping.id },
    }
    const queries: Record<string, string> = {
      compareScans: `base=${imported.scan_id}&head=${imported.scan_id}`,
    }

    // Every create answered its status with a Location that reads back.
    for (const { routeId, status, location } of creates) {
      expect(status, routeId).toBeGreaterThanOrEqual(200)
      expect(status, routeId).toBeLessThan(300)
      expect(location, `${routeId}: Location`).toBeDefined()
      const path = new URL(location!, 'http://x').pathname
      const read = Object.entries(routeTable).find(
        ([, spec]) => spec.method === 'GET' && new RegExp(`^${spec.path.replace(/\{\w+\}/g, '[^/]+')}$`).test(path),
      )
      expect(read, `${routeId}: ${location} is no GET route`).toBeDefined()
      const readBack = await call(await handlerOf(read![1].group), 'GET', path, { as: owner.token })
      expect(readBack.status, `${routeId}: GET ${location}`).toBe(200)
    }

    const checked: string[] = []
    const gets = (Object.entries(routeTable) as [string, RouteSpec][]).filter(
      ([, spec]) => spec.method === 'GET' && spec.auth === 'user',
    )
    for (const [routeId, spec] of gets) {
      const prefix = Object.keys(ids).find((start) => spec.path.startsWith(start))
      const values = prefix ? ids[prefix]! : {}
      if ([...spec.path.matchAll(/\{(\w+)\}/g)].some(([, name]) => !values[name!])) continue
      const path = spec.path.replace(/\{(\w+)\}/g, (_, name: string) => values[name]!)
      const handler = await handlerOf(spec.group)
      const options = { as: owner.token, query: queries[routeId] }

      const got = await call(handler, 'GET', path, options)
      const head = await call(handler, 'HEAD', path, options)

      expect(got.status, `${routeId}: ${got.text.slice(0, 300)}`).toBe(200)
      expect(head.status, `${routeId} HEAD`).toBe(got.status)
      expect(head.text, `${routeId} HEAD body`).toBe('')
      expect(head.headers['content-type'], `${routeId} HEAD content-type`).toBe(got.headers['content-type'])
      if (got.headers.etag) expect(head.headers.etag, `${routeId} HEAD etag`).toBe(got.headers.etag)
      if (isList(spec)) expect(Object.keys(got.json).sort(), `${routeId} envelope`).toEqual(['items', 'next_cursor'])
      if (got.headers['content-type']?.startsWith('application/json'))
        for (const [at, value] of timestampsIn(got.json)) expect(value, `${routeId} ${at}`).toMatch(oneFormat)
      checked.push(routeId)
    }

    // The matrix reaches the routes that matter to dashboards, not a handful.
    expect(checked.length).toBeGreaterThan(25)
    for (const routeId of [
      'listProjects',
      'getRepository',
      'listFindings',
      'getScan',
      'getGitUpload',
      'listMembers',
      'listWebhooks',
      'getWebhook',
      'listWebhookDeliveries',
      'getWebhookDelivery',
    ])
      expect(checked).toContain(routeId)
  })
})
