import { UpdateCommand } from '@aws-sdk/lib-dynamodb'
import type { Context } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { handler as projects } from '../../functions/projects/handler.js'
import { handler as repositories } from '../../functions/repositories/handler.js'
import { handler as worker } from '../../functions/scan-worker/handler.js'
import { sqsRecord } from '../../infra/local/sqs-event.js'
import { documents } from '../../shared/aws/clients.js'
import { cascadeInRequestLimit } from '../../shared/catalog/projects.js'
import { StoredRecordError, tableName } from '../../shared/data/db.js'
import * as keys from '../../shared/data/keys.js'
import { getProject, getProjectForDeletion } from '../../shared/data/projects.js'
import {
  createRepository,
  getRepository,
  type RepositoryRecord,
  recordLastScan,
} from '../../shared/data/repositories.js'
import { recordFindings } from '../../shared/findings/record.js'
import { newId, type ProjectId } from '../../shared/ids.js'
import { Project, Rollup } from '../../shared/routes/schemas/projects.js'
import type { Severity } from '../../shared/scanning/engine.js'
import { call, newOwner, type Person } from '../support/identity.js'
import { codeFinding, scanOf } from '../support/scans.js'

async function newProject(owner: Person, name = `p-${Math.random().toString(36).slice(2)}`) {
  const answer = await call(projects, 'POST', '/v1/projects', { as: owner.token, body: { name, description: 'd' } })
  expect(answer.status).toBe(201)
  return Project.parse(answer.json)
}

async function newRepository(owner: Person, projectId: string, name = `r-${Math.random().toString(36).slice(2)}`) {
  const answer = await call(repositories, 'POST', '/v1/repositories', {
    as: owner.token,
    body: { project_id: projectId, name },
  })
  expect(answer.status).toBe(201)
  return answer.json as { id: string; name: string }
}

describe('projects', () => {
  it('creates in the default workspace, gets, lists, patches and puts', async () => {
    const owner = await newOwner()

    const created = await newProject(owner, 'Payments')
    const got = await call(projects, 'GET', `/v1/projects/${created.id}`, { as: owner.token })
    const listed = await call(projects, 'GET', '/v1/projects', { as: owner.token })
    const patched = await call(projects, 'PATCH', `/v1/projects/${created.id}`, {
      as: owner.token,
      body: { description: 'new' },
    })
    const put = await call(projects, 'PUT', `/v1/projects/${created.id}`, {
      as: owner.token,
      body: { name: 'Billing' },
    })

    expect(created).toMatchObject({ workspace_id: owner.workspaceId, name: 'Payments', repository_count: 0 })
    expect(got.json).toEqual(created)
    expect(listed.json.items.map((p: { id: string }) => p.id)).toEqual([created.id])
    expect(patched.json).toMatchObject({ name: 'Payments', description: 'new' })
    expect(put.json).toMatchObject({ name: 'Billing', description: '' })
    expect(Date.parse(put.json.updated_at)).toBeGreaterThanOrEqual(Date.parse(created.updated_at))
  })

  it('answers 409 to a duplicate name in the workspace, in any case, and frees a name on rename', async () => {
    const owner = await newOwner()
    const first = await newProject(owner, 'Core')

    const duplicate = await call(projects, 'POST', '/v1/projects', { as: owner.token, body: { name: 'core' } })
    await call(projects, 'PATCH', `/v1/projects/${first.id}`, { as: owner.token, body: { name: 'Core v2' } })
    const reused = await call(projects, 'POST', '/v1/projects', { as: owner.token, body: { name: 'Core' } })
    const renameClash = await call(projects, 'PATCH', `/v1/projects/${first.id}`, {
      as: owner.token,
      body: { name: 'CORE' },
    })

    expect(duplicate.status).toBe(409)
    expect(duplicate.json.error.code).toBe('conflict')
    expect(reused.status).toBe(201)
    expect(renameClash.status).toBe(409)
  })

  it('refuses wrong types, unknown fields, over-long names and foreign id prefixes', async () => {
    const owner = await newOwner()

    const answers = {
      wrongType: await call(projects, 'POST', '/v1/projects', { as: owner.token, body: { name: 42 } }),
      unknownField: await call(projects, 'POST', '/v1/projects', {
        as: owner.token,
        body: { name: 'x', colour: 'red' },
      }),
      tooLong: await call(projects, 'POST', '/v1/projects', { as: owner.token, body: { name: 'x'.repeat(101) } }),
      badWorkspace: await call(projects, 'POST', '/v1/projects', {
        as: owner.token,
        body: { name: 'x', workspace_id: 'prj_1' },
      }),
    }
    const wrongPrefix = await call(projects, 'GET', `/v1/projects/${newId('repository')}`, { as: owner.token })

    for (const [kind, answer] of Object.entries(answers)) {
      expect(answer.status, kind).toBe(422)
      expect(answer.json.error.code, kind).toBe('validation_failed')
    }
    expect(wrongPrefix.status).toBe(404)
    expect((await call(projects, 'GET', '/v1/projects', { as: owner.token })).json.items).toEqual([])
  })

  it('refuses to delete a project with repositories unless cascade=true, which removes them', async () => {
    const owner = await newOwner()
    const project = await newProject(owner)
    const repository = await newRepository(owner, project.id)

    const refused = await call(projects, 'DELETE', `/v1/projects/${project.id}`, { as: owner.token })
    const cascaded = await call(projects, 'DELETE', `/v1/projects/${project.id}`, {
      as: owner.token,
      query: 'cascade=true',
    })

    expect(refused.status).toBe(409)
    expect(cascaded.status).toBe(204)
    expect((await call(projects, 'GET', `/v1/projects/${project.id}`, { as: owner.token })).status).toBe(404)
    expect((await call(repositories, 'GET', `/v1/repositories/${repository.id}`, { as: owner.token })).status).toBe(404)
    expect((await newProject(owner, project.name)).name).toBe(project.name)
  })

  it('deletes a large project in the background, says so, and reads it as gone at once', async () => {
    const owner = await newOwner()
    const project = await newProject(owner, 'big')
    const record = (await getProject(project.id as never))!
    const many = cascadeInRequestLimit + 1
    const created = []
    for (let i = 0; i < many; i++) created.push(await createRepository(record, { name: `r${i}` }))

    const answer = await call(projects, 'DELETE', `/v1/projects/${project.id}`, {
      as: owner.token,
      query: 'cascade=true',
    })
    const meanwhile = await call(repositories, 'POST', '/v1/repositories', {
      as: owner.token,
      body: { project_id: project.id, name: 'late' },
    })
    await worker({ Records: [sqsRecord({ delete_project: project.id })] }, {} as Context)

    expect(answer.status).toBe(202)
    expect(answer.json).toEqual({ id: project.id, status: 'deleting', repositories: many, background: true })
    expect(meanwhile.status).toBe(404)
    expect(await getProjectForDeletion(project.id as never)).toBeUndefined()
    for (const repository of created) expect(await getRepository(repository.id)).toBeUndefined()
    expect((await newProject(owner, 'big')).name).toBe('big')
  })

  it('counts its repositories', async () => {
    const owner = await newOwner()
    const project = await newProject(owner)
    await newRepository(owner, project.id)
    const second = await newRepository(owner, project.id)
    await call(repositories, 'DELETE', `/v1/repositories/${second.id}`, { as: owner.token })

    const answer = await call(projects, 'GET', `/v1/projects/${project.id}`, { as: owner.token })

    expect(answer.json.repository_count).toBe(1)
  })
})

describe('GET /v1/projects/{id}/rollup', () => {
  it('reads the counters the scan pipeline keeps: last scan and open findings per repository, and totals', async () => {
    const owner = await newOwner()
    const project = await newProject(owner)
    const api = await newRepository(owner, project.id, 'api')
    const web = await newRepository(owner, project.id, 'web')
    const scanId = newId('scan')
    await recordLastScan(api.id as never, { id: scanId, status: 'succeeded', finished_at: '2026-11-24T10:00:00.000Z' })
    const flaw = (path: string, severity: Severity) =>
      codeFinding(path, { severity, rule_id: `rule-${severity}`, text: path })
    const scanOfRepo = (repository: { id: string }) =>
      scanOf(
        { ...repository, project_id: project.id, workspace_id: owner.workspaceId } as unknown as RepositoryRecord,
        {
          status: 'running',
          engines: ['code'],
        },
      )
    const lows = ['l1', 'l2', 'l3', 'l4'].map((path) => flaw(path, 'low'))
    await recordFindings(
      scanOfRepo(api),
      [flaw('a1', 'critical'), flaw('a2', 'critical'), flaw('a3', 'high')],
      ['code'],
    )
    await recordFindings(
      scanOfRepo(web),
      [flaw('h1', 'high'), flaw('h2', 'high'), flaw('h3', 'high'), ...lows],
      ['code'],
    )
    // A later scan no longer sees h3: fixed, and the counter follows.
    await recordFindings(scanOfRepo(web), [flaw('h1', 'high'), flaw('h2', 'high'), ...lows], ['code'])

    const answer = await call(projects, 'GET', `/v1/projects/${project.id}/rollup`, { as: owner.token })

    const rollup = Rollup.parse(answer.json)
    const byName = Object.fromEntries(rollup.repositories.map((row) => [row.name, row]))
    expect(byName.api?.last_scan).toEqual({ id: scanId, status: 'succeeded', finished_at: '2026-11-24T10:00:00.000Z' })
    expect(byName.api?.open_findings).toEqual({ critical: 2, high: 1, medium: 0, low: 0, info: 0 })
    expect(byName.web?.last_scan).toBeNull()
    expect(rollup.totals).toEqual({
      repositories: 2,
      open_findings: { critical: 2, high: 3, medium: 0, low: 4, info: 0 },
    })
  })

  it('answers 500 internal, not a 422 blaming the caller, for a stored project that does not fit its record', async () => {
    const owner = await newOwner()
    const created = await newProject(owner)
    // A stored item that drifted from its record (a hand edit, a bad migration): the count is text now.
    await documents().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.projectById(created.id as ProjectId),
        UpdateExpression: 'SET repository_count = :text',
        ExpressionAttributeValues: { ':text': 'sk_live_not-a-number' },
      }),
    )
    await expect(getProject(created.id as ProjectId)).rejects.toThrow(StoredRecordError)

    for (const [method, path] of [
      ['GET', `/v1/projects/${created.id}`],
      ['GET', '/v1/projects'],
    ] as const) {
      const answer = await call(projects, method, path, { as: owner.token })
      expect(answer.status, path).toBe(500)
      expect(answer.json.error.code).toBe('internal')
      // Neither the stored value nor the record's field names reach the caller.
      expect(answer.text).not.toContain('sk_live_')
      expect(answer.text).not.toContain('repository_count')
    }
  })
})
