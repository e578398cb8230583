import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { routeTable } from '../../shared/routes/index.js'
import { groups, type RouteSpec } from '../../shared/routes/route.js'
import * as z from '../../shared/zod.js'

// Every route DESIGN.md ("Endpoint groups") names, written out by hand so the table cannot drift from it.
const designRoutes = [
  'GET /v1/healthz',
  'GET /v1/readyz',
  'POST /v1/auth/login',
  'POST /v1/auth/refresh',
  'POST /v1/auth/logout',
  'GET /v1/auth/me',
  'POST /v1/auth/password',
  'GET /v1/workspaces',
  'GET /v1/workspaces/{id}',
  'GET /v1/workspaces/{id}/members',
  'POST /v1/workspaces/{id}/members',
  'PATCH /v1/workspaces/{id}/members/{userId}',
  'DELETE /v1/workspaces/{id}/members/{userId}',
  'GET /v1/api-keys',
  'POST /v1/api-keys',
  'DELETE /v1/api-keys/{id}',
  'POST /v1/api-keys/revoke',
  'POST /v1/api-keys/purge',
  'GET /v1/projects',
  'POST /v1/projects',
  'GET /v1/projects/{id}',
  'PATCH /v1/projects/{id}',
  'PUT /v1/projects/{id}',
  'DELETE /v1/projects/{id}',
  'GET /v1/projects/{id}/scans',
  'GET /v1/projects/{id}/rollup',
  'GET /v1/repositories',
  'POST /v1/repositories',
  'GET /v1/repositories/{id}',
  'PATCH /v1/repositories/{id}',
  'DELETE /v1/repositories/{id}',
  'GET /v1/repositories/{id}/scans',
  'POST /v1/repositories/{id}/scans',
  'GET /v1/repositories/{id}/scans/{scanId}',
  'POST /v1/repositories/{id}/scans/{scanId}/cancel',
  'POST /v1/repositories/{id}/scans/{scanId}/retry',
  'GET /v1/repositories/{id}/scans/{scanId}/sarif',
  'GET /v1/repositories/{id}/findings',
  'GET /v1/repositories/{id}/findings/{findingId}',
  'PATCH /v1/repositories/{id}/findings/{findingId}',
  'GET /v1/repositories/{id}/compare',
  'GET /v1/repositories/{id}/suppressions',
  'GET /v1/repositories/{id}/events',
  'POST /v1/git-uploads',
  'GET /v1/git-uploads/{id}',
  'PATCH /v1/git-uploads/{id}',
  'DELETE /v1/git-uploads/{id}',
  'POST /v1/git-uploads/{id}/complete',
  'GET /v1/git-uploads/{id}/repo.git/info/refs',
  'POST /v1/git-uploads/{id}/repo.git/git-receive-pack',
  'GET /v1/dismissal-requests',
  'POST /v1/dismissal-requests/{id}/approve',
  'POST /v1/dismissal-requests/{id}/deny',
  'POST /v1/repositories/{id}/sarif',
  'GET /v1/workspaces/{id}/policy',
  'PUT /v1/workspaces/{id}/policy',
  'GET /v1/projects/{id}/policy',
  'PUT /v1/projects/{id}/policy',
  'GET /v1/billing/summary',
  'GET /v1/billing/usage',
  'GET /v1/ops/limits',
  'GET /v1/ops/workers',
  'POST /v1/ops/cleanup',
  'POST /v1/ops/advisories',
  'POST /v1/sessions',
  'GET /v1/sessions/{id}',
  'POST /v1/sessions/{id}/analyze',
  'GET /v1/deprecations',
  'GET /v1/openapi.json',
  'GET /v1/docs',
]

const specs = Object.entries(routeTable) as [string, RouteSpec][]
const keyOf = (spec: RouteSpec) => `${spec.method} ${spec.path}`

describe('the route table', () => {
  it('holds every route DESIGN.md names', () => {
    const table = new Set(specs.map(([, spec]) => keyOf(spec)))

    const missing = designRoutes.filter((route) => !table.has(route))

    expect(missing).toEqual([])
  })

  it('has one route per method and path', () => {
    const keys = specs.map(([, spec]) => keyOf(spec))

    expect(new Set(keys).size).toBe(keys.length)
  })

  it('names each route with a camelCase operation id', () => {
    for (const [id] of specs) expect(id).toMatch(/^[a-z][a-zA-Z]+$/)
  })

  it('declares a params schema with exactly the path template parameters', () => {
    for (const [id, spec] of specs) {
      const inPath = [...spec.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort()
      const declared = Object.keys(spec.params?.shape ?? {}).sort()
      expect(declared, id).toEqual(inPath)
    }
  })

  it('gives every group a handler module under functions/<group>/', () => {
    for (const group of groups) expect(existsSync(`functions/${group}/handler.ts`), group).toBe(true)
    // …and its routes in shared/routes/<group>.ts, so a path leads to its schema and its handler by name.
    for (const group of groups) expect(existsSync(`shared/routes/${group}.ts`), group).toBe(true)
  })

  it('gives a group whose routes stream a streamHandler beside its handler, and only such a group', async () => {
    const streaming = new Set(specs.filter(([, spec]) => spec.streams).map(([, spec]) => spec.group))

    expect([...streaming]).toEqual(['git-uploads'])
    for (const group of groups) {
      const source = readFileSync(`functions/${group}/handler.ts`, 'utf8')
      expect(/export const streamHandler = streamingLambda\(/.test(source), group).toBe(streaming.has(group))
    }
    const module = await import('../../functions/git-uploads/handler.js')
    expect(typeof module.streamHandler).toBe('function')
  })

  it('declares what a route with a role acts on: the workspace in its path is authorized by lambda()', () => {
    for (const [id, spec] of specs) {
      const onWorkspace = /^\/v1\/workspaces\/\{id\}/.test(spec.path)
      expect(spec.actsOn === 'workspace', id).toBe(onWorkspace && !!spec.role)
      if (spec.actsOn) expect(spec.role, id).toBeDefined()
    }
  })

  it('lists as shown-once every answer field a replay must not repeat (a one-time secret)', () => {
    for (const [id, spec] of Object.entries(routeTable) as [string, RouteSpec][]) {
      const shape = (spec.ok as { shape?: Record<string, z.core.$ZodType> } | undefined)?.shape ?? {}
      const oneTime = Object.entries(shape)
        .filter(([, field]) =>
          /one-time|shown once|only in the create answer/i.test(z.globalRegistry.get(field)?.description ?? ''),
        )
        .map(([name]) => name)
      if (spec.idempotent) expect(spec.shownOnce ?? [], id).toEqual(oneTime)
    }
  })

  it('gives every 201 and 202 a Location: a GET route of the table, reading one resource or its list', () => {
    for (const [id, spec] of Object.entries(routeTable) as [string, RouteSpec][]) {
      if (spec.status !== 201 && spec.status !== 202) continue
      const target = spec.location && (routeTable as Record<string, RouteSpec>)[spec.location.route]
      expect(target?.method, id).toBe('GET')
      // A group's Lambda holds only its own routes: a target in another group is named with its path too.
      expect(spec.location?.path, id).toBe(target!.group === spec.group ? undefined : target!.path)
      // What fills the target's path: this route's parameters, and for one resource the answer's id.
      const own = [...spec.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1])
      const needed = [...target!.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1])
      const fromAnswer = target!.path.endsWith('}') ? needed.slice(-1) : []
      expect(
        needed.filter((name) => !fromAnswer.includes(name) && !own.includes(name)),
        id,
      ).toEqual([])
    }
  })

  it("keeps each path in one group, so a wrong method (the path's ANY method) reaches the group that knows them all", () => {
    const groupsOf = new Map<string, Set<string>>()
    for (const [, spec] of specs) groupsOf.set(spec.path, (groupsOf.get(spec.path) ?? new Set()).add(spec.group))

    expect([...groupsOf].filter(([, owners]) => owners.size > 1).map(([path]) => path)).toEqual([])
  })

  it('answers 204 only from routes without a response schema', () => {
    for (const [id, spec] of specs) if (spec.status === 204) expect(spec.ok, id).toBeUndefined()
  })
})
