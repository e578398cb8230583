import { ScanCommand } from '@aws-sdk/lib-dynamodb'
import { describe, expect, it } from 'vitest'
import { handler as uploads } from '../../functions/git-uploads/handler.js'
import { handler as projects } from '../../functions/projects/handler.js'
import { handler as workspaces } from '../../functions/workspaces/handler.js'
import { documents } from '../../shared/aws/clients.js'
import { tableName } from '../../shared/data/db.js'
import { call, newOwner } from '../support/identity.js'
import { repositoryOf } from '../support/scans.js'

const create = (token: string, key: string, name: string) =>
  call(projects, 'POST', '/v1/projects', { as: token, body: { name }, headers: { 'idempotency-key': key } })

describe('Idempotency-Key', () => {
  it('answers a repeat of the same request with the first answer, and creates once', async () => {
    const owner = await newOwner()

    const first = await create(owner.token, 'create-payments-1', 'Payments')
    const again = await create(owner.token, 'create-payments-1', 'Payments')

    expect(first.status).toBe(201)
    expect(again.status).toBe(201)
    expect(again.json).toEqual(first.json)
    expect(again.headers['idempotent-replayed']).toBe('true')
    const listed = await call(projects, 'GET', '/v1/projects', { as: owner.token })
    expect(listed.json.items).toHaveLength(1)
  })

  it('answers 409 to the same key with another body, and creates nothing', async () => {
    const owner = await newOwner()
    await create(owner.token, 'k-2', 'One')

    const other = await create(owner.token, 'k-2', 'Two')

    expect(other.status).toBe(409)
    expect(other.json.error.code).toBe('conflict')
    expect((await call(projects, 'GET', '/v1/projects', { as: owner.token })).json.items).toHaveLength(1)
  })

  it('releases the key when the request fails, so a corrected retry runs', async () => {
    const owner = await newOwner()
    await create(owner.token, 'taken', 'Taken')

    const failed = await create(owner.token, 'k-3', 'Taken')
    const retried = await create(owner.token, 'k-3', 'Taken')

    expect(failed.status).toBe(409)
    expect(retried.status).toBe(409)
    expect(retried.headers['idempotent-replayed']).toBeUndefined()
  })

  it('keeps callers apart: the same key from another user is a new request', async () => {
    const [alice, bob] = await Promise.all([newOwner('alice'), newOwner('bob')])

    const a = await create(alice.token, 'shared-key', 'Same')
    const b = await create(bob.token, 'shared-key', 'Same')

    expect(b.status).toBe(201)
    expect(b.json.id).not.toBe(a.json.id)
    expect(b.json.workspace_id).toBe(bob.workspaceId)
  })

  it('runs once when two identical requests race: one creates, the other is 409 or the replay', async () => {
    const owner = await newOwner()

    const answers = await Promise.all([create(owner.token, 'race', 'Raced'), create(owner.token, 'race', 'Raced')])

    expect(answers.filter((answer) => answer.status === 201 && !answer.headers['idempotent-replayed'])).toHaveLength(1)
    expect((await call(projects, 'GET', '/v1/projects', { as: owner.token })).json.items).toHaveLength(1)
  })

  it('refuses a key that is too long or not printable with 400', async () => {
    const owner = await newOwner()

    const answer = await create(owner.token, 'x'.repeat(256), 'Long')

    expect(answer.status).toBe(400)
  })

  it('replays adding a member: one membership, and the setup token only in the first answer', async () => {
    const owner = await newOwner()
    const email = `twice-${Date.now()}@example.com`
    const add = () =>
      call(workspaces, 'POST', `/v1/workspaces/${owner.workspaceId}/members`, {
        as: owner.token,
        body: { email, role: 'member' },
        headers: { 'idempotency-key': 'invite-1' },
      })

    const first = await add()
    const again = await add()
    const members = await call(workspaces, 'GET', `/v1/workspaces/${owner.workspaceId}/members`, { as: owner.token })

    expect(first.status).toBe(201)
    expect(first.json.setup_token).toEqual(expect.any(String))
    expect(again.status).toBe(201)
    expect(again.headers['idempotent-replayed']).toBe('true')
    expect(again.json).toEqual({ ...first.json, setup_token: null })
    expect(again.text).not.toContain(first.json.setup_token)
    expect(members.json.items.filter((m: { user_id: string }) => m.user_id === first.json.user_id)).toHaveLength(1)
  })

  it('never stores nor replays a one-time secret: a replayed git upload answers remote_url as null', async () => {
    const owner = await newOwner()
    const repository = await repositoryOf(owner)
    const createUpload = () =>
      call(uploads, 'POST', '/v1/git-uploads', {
        as: owner.token,
        body: { repository_id: repository.id },
        headers: { 'idempotency-key': 'push-1' },
      })

    const first = await createUpload()
    const again = await createUpload()

    const token = new URL(first.json.remote_url).password
    expect(token).toMatch(/^vgu_/)
    expect(again.status).toBe(201)
    expect(again.headers['idempotent-replayed']).toBe('true')
    expect(again.json).toEqual({ ...first.json, remote_url: null })
    expect(again.text).not.toContain(token)
    // Every page of the scan: a page is 1 MB before the filter, and other files fill the shared table.
    const Items: Record<string, unknown>[] = []
    let startKey: Record<string, unknown> | undefined
    do {
      const page = await documents().send(
        new ScanCommand({
          TableName: tableName(),
          FilterExpression: 'begins_with(pk, :idem) AND contains(pk, :route)',
          ExpressionAttributeValues: { ':idem': 'IDEM#', ':route': '#createGitUpload#' },
          ExclusiveStartKey: startKey,
        }),
      )
      Items.push(...(page.Items ?? []))
      startKey = page.LastEvaluatedKey
    } while (startKey)
    expect(Items.length).toBeGreaterThan(0)
    expect(JSON.stringify(Items)).not.toContain(token)
  })
})
