import { describe, expect, it } from 'vitest'
import { handler as uploads } from '../../functions/git-uploads/handler.js'
import { handler as projects } from '../../functions/projects/handler.js'
import { handler as repositories } from '../../functions/repositories/handler.js'
import { GitUpload } from '../../shared/routes/schemas/git-uploads.js'
import { getObjectBytes } from '../../shared/storage/objects.js'
import { call, newOwner, type Person } from '../support/identity.js'

async function repositoryOf(owner: Person) {
  const project = (await call(projects, 'POST', '/v1/projects', { as: owner.token, body: { name: 'p' } })).json
  return (
    await call(repositories, 'POST', '/v1/repositories', {
      as: owner.token,
      body: { project_id: project.id, name: 'r' },
    })
  ).json.id as string
}

const createUpload = (as: string, repositoryId: string, extra: Record<string, unknown> = {}) =>
  call(uploads, 'POST', '/v1/git-uploads', { as, body: { repository_id: repositoryId, ...extra } })

describe('git uploads', () => {
  it('creates a remote whose URL carries a one-time token, shown once, and a bundle URL without checksum parameters', async () => {
    const owner = await newOwner()
    const repositoryId = await repositoryOf(owner)

    const created = await createUpload(owner.token, repositoryId)
    const again = await call(uploads, 'GET', `/v1/git-uploads/${created.json.id}`, { as: owner.token })

    expect(created.status).toBe(201)
    const upload = GitUpload.parse(created.json)
    const remote = new URL(upload.remote_url!)
    expect(remote.pathname).toBe(`/v1/git-uploads/${upload.id}/repo.git`)
    expect(remote.password).toMatch(/^vgu_[\w-]{43}$/)
    expect(upload.status).toBe('awaiting_push')
    expect(Date.parse(upload.expires_at) - Date.now()).toBeGreaterThan(14 * 60_000)
    expect(again.json.remote_url).toBeNull()
    expect(again.text).not.toContain(remote.password)
    const bundleUrl = new URL(upload.bundle_upload_url!)
    expect([...bundleUrl.searchParams.keys()].filter((name) => name.toLowerCase().includes('checksum'))).toEqual([])
    expect(bundleUrl.searchParams.get('X-Amz-Expires')).toBeTruthy()
  })

  it('takes a bundle PUT to the presigned URL into the bucket', async () => {
    const owner = await newOwner()
    const upload = (await createUpload(owner.token, await repositoryOf(owner))).json

    const put = await fetch(upload.bundle_upload_url, { method: 'PUT', body: '# v2 git bundle\n' })

    expect(put.status).toBe(200)
    const key = decodeURIComponent(new URL(upload.bundle_upload_url).pathname.split('/').slice(2).join('/'))
    expect((await getObjectBytes(key)).toString()).toBe('# v2 git bundle\n')
  })

  it('extends within the maximum, and releases', async () => {
    const owner = await newOwner()
    const upload = (await createUpload(owner.token, await repositoryOf(owner))).json

    const extended = await call(uploads, 'PATCH', `/v1/git-uploads/${upload.id}`, {
      as: owner.token,
      body: { expires_in_s: 3600 },
    })
    const released = await call(uploads, 'DELETE', `/v1/git-uploads/${upload.id}`, { as: owner.token })
    const after = await call(uploads, 'GET', `/v1/git-uploads/${upload.id}`, { as: owner.token })
    const extendReleased = await call(uploads, 'PATCH', `/v1/git-uploads/${upload.id}`, {
      as: owner.token,
      body: { expires_in_s: 600 },
    })

    expect(Date.parse(extended.json.expires_at) - Date.now()).toBeGreaterThan(59 * 60_000)
    expect(released.status).toBe(204)
    expect(after.json).toMatchObject({ status: 'released', bundle_upload_url: null })
    expect(extendReleased.status).toBe(409)
  })

  it('answers 404 to a repository of another workspace, and 422 to a bad expiry', async () => {
    const [alice, bob] = await Promise.all([newOwner('alice'), newOwner('bob')])
    const alicesRepository = await repositoryOf(alice)

    const foreign = await createUpload(bob.token, alicesRepository)
    const badExpiry = await createUpload(alice.token, alicesRepository, { expires_in_s: 5 })

    expect(foreign.status).toBe(404)
    expect(badExpiry.status).toBe(422)
  })
})
