// The tenant-isolation matrix, generated from the route table: every route that takes an id is called by
// the owner of another workspace with the ids of Alice's resources. Each answer must be 404 (or 403 for
// a write), or 501 for a route whose issue has not landed (and then Alice gets 501 too); and afterwards
// Alice's resources are as they were. A new route joins the matrix by being in the table.
import { describe, expect, it } from 'vitest'
import type { ApiHandler } from '../../shared/api/lambda.js'
import { newId } from '../../shared/ids.js'
import { routeTable } from '../../shared/routes/index.js'
import type { Group, RouteSpec } from '../../shared/routes/route.js'
import * as z from '../../shared/zod.js'
import { call, newOwner } from '../support/identity.js'

const handlers = new Map<Group, ApiHandler>()
const handlerOf = async (group: Group) => {
  if (!handlers.has(group)) handlers.set(group, (await import(`../../functions/${group}/handler.ts`)).handler)
  return handlers.get(group)!
}

// A valid body (and query) for every route that needs one, so the call reaches authorization.
const policy = { rules: [{ name: 'all', effect: 'block', conditions: [] }], default: 'ignore' }
const samples: Record<string, { body?: unknown; query?: (ids: Record<string, string>) => string }> = {
  addMember: { body: { email: 'intruder@example.com', role: 'owner' } },
  updateMember: { body: { role: 'viewer' } },
  updateProject: { body: { name: 'hijacked' } },
  replaceProject: { body: { name: 'hijacked' } },
  updateRepository: { body: { name: 'hijacked' } },
  createScan: { body: {} },
  updateFinding: { body: { status: 'open' } },
  triageFindings: { body: { filter: {}, status: 'dismissed', reason: 'wont_fix', dry_run: false } },
  createSuppression: { body: { fingerprint: 'f'.repeat(64), reason: 'r' } },
  extendGitUpload: { body: { expires_in_s: 600 } },
  approveDismissal: { body: { comment: 'ok' } },
  denyDismissal: { body: { comment: 'no' } },
  importSarif: { body: { version: '2.1.0', runs: [] } },
  putWorkspacePolicy: { body: policy },
  putProjectPolicy: { body: policy },
  compareScans: { query: () => `base=${newId('scan')}&head=${newId('scan')}` },
  updateWebhook: { body: { url: 'https://attacker.example.com/hook', active: false } },
  rotateWebhookSecret: { body: {} },
}

describe('tenant isolation matrix', () => {
  it("keeps every id-taking route from touching another workspace's resources", async () => {
    const [alice, bob] = await Promise.all([newOwner('alice'), newOwner('bob')])
    const projects = await handlerOf('projects')
    const repositories = await handlerOf('repositories')
    const project = (await call(projects, 'POST', '/v1/projects', { as: alice.token, body: { name: 'secret' } })).json
    const repository = (
      await call(repositories, 'POST', '/v1/repositories', {
        as: alice.token,
        body: { project_id: project.id, name: 'repo' },
      })
    ).json
    const apiKey = (
      await call(await handlerOf('api-keys'), 'POST', '/v1/api-keys', {
        as: alice.token,
        body: { name: 'k', scopes: ['read'] },
      })
    ).json
    const snapshot = async () => ({
      project: (await call(projects, 'GET', `/v1/projects/${project.id}`, { as: alice.token })).json,
      repository: (await call(repositories, 'GET', `/v1/repositories/${repository.id}`, { as: alice.token })).json,
      members: (
        await call(await handlerOf('workspaces'), 'GET', `/v1/workspaces/${alice.workspaceId}/members`, {
          as: alice.token,
        })
      ).json,
      key: (await call(await handlerOf('auth'), 'GET', '/v1/auth/me', { as: apiKey.key })).status,
    })
    const upload = (
      await call(await handlerOf('git-uploads'), 'POST', '/v1/git-uploads', {
        as: alice.token,
        body: { repository_id: repository.id },
      })
    ).json
    const session = (
      await call(await handlerOf('sessions'), 'POST', '/v1/sessions', {
        as: alice.token,
        body: { repository_id: repository.id, format: 'zip' },
      })
    ).json
    const webhooks = await handlerOf('webhooks')
    const webhook = (
      await call(webhooks, 'POST', '/v1/webhooks', {
        as: alice.token,
        body: { url: 'https://hooks.example.com/alice', events: ['scan.failed'] },
      })
    ).json
    const delivery = (await call(webhooks, 'POST', `/v1/webhooks/${webhook.id}/ping`, { as: alice.token })).json
    const webhookState = async () => ({
      webhook: (await call(webhooks, 'GET', `/v1/webhooks/${webhook.id}`, { as: alice.token })).json,
      deliveries: (await call(webhooks, 'GET', `/v1/webhooks/${webhook.id}/deliveries`, { as: alice.token })).json.items
        .length,
    })
    const webhookBefore = await webhookState()
    const before = { ...(await snapshot()), upload: upload.expires_at }
    // Alice's real ids where the resource exists; well-formed ids of hers to be for kinds not built yet.
    const candidates = [
      alice.workspaceId,
      alice.userId,
      project.id,
      repository.id,
      apiKey.id,
      upload.id,
      session.id,
      webhook.id,
      delivery.id,
      ...(['scan', 'finding', 'dismissalRequest', 'suppression'] as const).map((kind) => newId(kind)),
    ]

    const matrix = (Object.entries(routeTable) as [string, RouteSpec][]).filter(
      ([, spec]) => spec.params && spec.auth === 'user',
    )
    const results: string[] = []
    for (const [routeId, spec] of matrix) {
      const ids: Record<string, string> = {}
      for (const [name, schema] of Object.entries(spec.params!.shape)) {
        const id = candidates.find((candidate) => z.safeParse(schema, candidate).success)
        expect(id, `${routeId}: no fixture id for {${name}}`).toBeDefined()
        ids[name] = id!
      }
      const sample = samples[routeId]
      expect(!spec.body || sample?.body !== undefined, `${routeId}: add a sample body to the matrix`).toBe(true)
      const path = spec.path.replace(/\{(\w+)\}/g, (_, name: string) => ids[name]!)
      const handler = await handlerOf(spec.group)
      const options = { body: sample?.body, query: sample?.query?.(ids) }

      const answer = await call(handler, spec.method, path, { ...options, as: bob.token })

      const allowed = spec.method === 'GET' ? [404] : [403, 404]
      if (answer.status === 501) {
        const own = await call(handler, spec.method, path, { ...options, as: alice.token })
        expect(own.status, `${routeId}: 501 for Bob but ${own.status} for Alice`).toBe(501)
      } else {
        expect(allowed, `${routeId} answered ${answer.status}: ${answer.text}`).toContain(answer.status)
      }
      results.push(`${routeId}:${answer.status}`)
    }

    expect(results.length).toBeGreaterThan(30)
    // The routes built so far answer for real (not 501): the matrix is testing them, not skipping them.
    for (const built of [
      'getWorkspace',
      'addMember',
      'deleteApiKey',
      'getProject',
      'updateProject',
      'deleteProject',
      'getProjectRollup',
      'getRepository',
      'updateRepository',
      'deleteRepository',
      'listEvents',
      'getGitUpload',
      'extendGitUpload',
      'getSession',
      'analyzeSession',
      'getWebhook',
      'updateWebhook',
      'deleteWebhook',
      'rotateWebhookSecret',
      'pingWebhook',
      'listWebhookDeliveries',
      'getWebhookDelivery',
      'redeliverWebhookDelivery',
    ]) {
      expect(results.find((result) => result.startsWith(`${built}:`))).toMatch(/:40[34]$/)
    }
    const uploadAfter = (
      await call(await handlerOf('git-uploads'), 'GET', `/v1/git-uploads/${upload.id}`, { as: alice.token })
    ).json
    expect({ ...(await snapshot()), upload: uploadAfter.expires_at }).toEqual(before)
    expect(await webhookState()).toEqual(webhookBefore)
    expect(uploadAfter.status).toBe('awaiting_push')
    const sessionAfter = (
      await call(await handlerOf('sessions'), 'GET', `/v1/sessions/${session.id}`, { as: alice.token })
    ).json
    expect(sessionAfter).toMatchObject({ status: 'awaiting_upload', scan_id: null })
  }, 60_000)

  it('keeps every route that takes an id in its query (a workspace, project or repository filter) from reading another workspace', async () => {
    const [alice, bob] = await Promise.all([newOwner('alice'), newOwner('bob')])
    const project = (
      await call(await handlerOf('projects'), 'POST', '/v1/projects', {
        as: alice.token,
        body: { name: 'hidden-project' },
      })
    ).json
    const repository = (
      await call(await handlerOf('repositories'), 'POST', '/v1/repositories', {
        as: alice.token,
        body: { project_id: project.id, name: 'hidden-repo' },
      })
    ).json
    const hers = [alice.workspaceId, project.id, repository.id]
    const matrix = (Object.entries(routeTable) as [string, RouteSpec][]).filter(
      ([, spec]) => spec.method === 'GET' && spec.auth === 'user' && spec.query,
    )
    const results: string[] = []
    for (const [routeId, spec] of matrix) {
      const handler = await handlerOf(spec.group)
      for (const [name, schema] of Object.entries(spec.query!.shape)) {
        // Parameters typed as ids only: free text (`rule`, `path`) would take an id as any other word.
        const id = hers.find((candidate) => z.safeParse(schema, candidate).success)
        if (!id || z.safeParse(schema, 'plain-text').success) continue

        const answer = await call(handler, 'GET', spec.path, { as: bob.token, query: `${name}=${id}` })

        // 404 (or 403); a list whose filter stays inside the caller's own workspace (billing usage) may
        // answer an empty page instead. The security overview's routes always answer 404.
        const emptyPage = answer.status === 200 && Array.isArray(answer.json?.items) && answer.json.items.length === 0
        const allowed = spec.group === 'overview' || !emptyPage ? [403, 404] : [200]
        expect(allowed, `${routeId}?${name}= answered ${answer.status}: ${answer.text}`).toContain(answer.status)
        // A 404 may name the id it was sent; nothing else of hers is in the answer.
        for (const leak of [...hers.filter((own) => own !== id), 'hidden-project', 'hidden-repo'])
          expect(answer.text, `${routeId}?${name}=`).not.toContain(leak)
        results.push(`${routeId}?${name}`)
      }
    }

    // The workspace-wide routes are in the matrix with each of their filters.
    for (const reached of [
      'listWorkspaceFindings?workspace_id',
      'listWorkspaceFindings?project',
      'listWorkspaceFindings?repository',
      'getOverview?workspace_id',
      'listProjects?workspace_id',
      'listRepositories?project_id',
    ])
      expect(results).toContain(reached)
  }, 60_000)
})
