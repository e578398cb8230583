import { describe, expect, it } from 'vitest'
import { handler as projects } from '../../functions/projects/handler.js'
import { handler as repositories } from '../../functions/repositories/handler.js'
import { appendEvent } from '../../shared/data/append-event.js'
import { Event, Repository } from '../../shared/routes/schemas/repositories.js'
import { call, newOwner, type Person } from '../support/identity.js'

async function setup() {
  const owner = await newOwner()
  const project = (await call(projects, 'POST', '/v1/projects', { as: owner.token, body: { name: 'p' } })).json
  return { owner, project }
}

const createRepo = (owner: Person, body: Record<string, unknown>) =>
  call(repositories, 'POST', '/v1/repositories', { as: owner.token, body })

describe('repositories', () => {
  it('creates inside a project with a default branch, gets, lists by project and workspace, patches', async () => {
    const { owner, project } = await setup()

    const created = await createRepo(owner, { project_id: project.id, name: 'api', description: 'the API' })
    const id = created.json.id
    const got = await call(repositories, 'GET', `/v1/repositories/${id}`, { as: owner.token })
    const byProject = await call(repositories, 'GET', '/v1/repositories', {
      as: owner.token,
      query: `project_id=${project.id}`,
    })
    const byWorkspace = await call(repositories, 'GET', '/v1/repositories', { as: owner.token })
    const patched = await call(repositories, 'PATCH', `/v1/repositories/${id}`, {
      as: owner.token,
      body: { default_branch: 'trunk' },
    })

    expect(created.status).toBe(201)
    expect(Repository.parse(created.json)).toMatchObject({
      project_id: project.id,
      workspace_id: owner.workspaceId,
      default_branch: 'main',
      last_scan_id: null,
    })
    expect(got.json).toEqual(created.json)
    expect(byProject.json.items.map((r: { id: string }) => r.id)).toEqual([id])
    expect(byWorkspace.json.items.map((r: { id: string }) => r.id)).toEqual([id])
    expect(patched.json.default_branch).toBe('trunk')
  })

  it('answers 409 to a duplicate name in the project, but allows it in another project', async () => {
    const { owner, project } = await setup()
    const other = (await call(projects, 'POST', '/v1/projects', { as: owner.token, body: { name: 'other' } })).json
    await createRepo(owner, { project_id: project.id, name: 'web' })

    const duplicate = await createRepo(owner, { project_id: project.id, name: 'WEB' })
    const elsewhere = await createRepo(owner, { project_id: other.id, name: 'web' })

    expect(duplicate.status).toBe(409)
    expect(elsewhere.status).toBe(201)
  })

  it('answers 404 for a project that does not exist, and 422 to a bad branch name', async () => {
    const { owner, project } = await setup()

    const noProject = await createRepo(owner, { project_id: 'prj_01JABCDEFGHJKMNPQRSTVWXYZ0', name: 'x' })
    const badBranch = await createRepo(owner, { project_id: project.id, name: 'x', default_branch: 'a b' })

    expect(noProject.status).toBe(404)
    expect(badBranch.status).toBe(422)
    expect(badBranch.json.error.details.issues[0].path).toBe('body.default_branch')
  })

  it('keeps a timeline, newest first: created, renamed, updated', async () => {
    const { owner, project } = await setup()
    const id = (await createRepo(owner, { project_id: project.id, name: 'svc' })).json.id
    await call(repositories, 'PATCH', `/v1/repositories/${id}`, { as: owner.token, body: { name: 'service' } })
    await call(repositories, 'PATCH', `/v1/repositories/${id}`, {
      as: owner.token,
      body: { description: 'now documented' },
    })

    const answer = await call(repositories, 'GET', `/v1/repositories/${id}/events`, { as: owner.token })

    const events = answer.json.items.map((event: unknown) => Event.parse(event))
    expect(events.map((event: { type: string }) => event.type)).toEqual([
      'repository.updated',
      'repository.renamed',
      'repository.created',
    ])
    expect(events[1].data).toEqual({ from: 'svc', to: 'service' })
    expect(events[2].actor).toEqual({ type: 'user', id: owner.userId })
    // `created_at` as on every record; the deprecated `at` beside it until its sunset.
    for (const event of events) expect(event.at).toBe(event.created_at)
  })

  it('pages the timeline with a cursor, each event once', async () => {
    const { owner, project } = await setup()
    const id = (await createRepo(owner, { project_id: project.id, name: 'busy' })).json.id
    for (let i = 0; i < 6; i++) await appendEvent(id, 'scan.queued', { type: 'system', id: null }, { n: i })

    const seen: number[] = []
    let cursor: string | null = null
    do {
      const query: string = cursor ? `limit=3&cursor=${cursor}` : 'limit=3'
      const page = await call(repositories, 'GET', `/v1/repositories/${id}/events`, { as: owner.token, query })
      seen.push(
        ...page.json.items
          .filter((e: { type: string }) => e.type === 'scan.queued')
          .map((e: { data: { n: number } }) => e.data.n),
      )
      cursor = page.json.next_cursor
    } while (cursor)

    expect(seen).toEqual([5, 4, 3, 2, 1, 0])
  })

  it('deletes a repository with its timeline', async () => {
    const { owner, project } = await setup()
    const id = (await createRepo(owner, { project_id: project.id, name: 'gone' })).json.id

    const deleted = await call(repositories, 'DELETE', `/v1/repositories/${id}`, { as: owner.token })

    expect(deleted.status).toBe(204)
    expect((await call(repositories, 'GET', `/v1/repositories/${id}`, { as: owner.token })).status).toBe(404)
    expect((await call(repositories, 'GET', `/v1/repositories/${id}/events`, { as: owner.token })).status).toBe(404)
  })
})
