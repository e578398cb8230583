// The legacy sessions flow against the emulators: a real PUT to the presigned URL, analyze, the real
// worker, and the deprecation headers on every answer.
process.env.ARCHIVE_MAX_BYTES = String(64 * 1024)

import type { Context } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { handler as ops } from '../../functions/ops/handler.js'
import { handler as projects } from '../../functions/projects/handler.js'
import { handler as repositories } from '../../functions/repositories/handler.js'
import { handler as worker } from '../../functions/scan-worker/handler.js'
import { handler as sessions } from '../../functions/sessions/handler.js'
import { sqsEvent, sqsRecord } from '../../infra/local/sqs-event.js'
import { getScan } from '../../shared/data/scans.js'
import { getSession, putSession } from '../../shared/data/sessions.js'
import { newId, type SessionId } from '../../shared/ids.js'
import { Session } from '../../shared/routes/schemas/sessions.js'
import { tarGz, zip } from '../support/archives.js'
import { call, newOwner, type Person } from '../support/identity.js'

async function repositoryOf(owner: Person) {
  const project = (
    await call(projects, 'POST', '/v1/projects', { as: owner.token, body: { name: `p-${Math.random()}` } })
  ).json
  return (
    await call(repositories, 'POST', '/v1/repositories', {
      as: owner.token,
      body: { project_id: project.id, name: 'r' },
    })
  ).json.id as string
}

async function newSession(owner: Person, format: 'tar.gz' | 'zip' = 'tar.gz') {
  const answer = await call(sessions, 'POST', '/v1/sessions', {
    as: owner.token,
    body: { repository_id: await repositoryOf(owner), format },
  })
  expect(answer.status, answer.text).toBe(201)
  return Session.parse(answer.json)
}

const put = (url: string, body: Buffer) => fetch(url, { method: 'PUT', body: new Uint8Array(body) })
const runWorker = (scanId: string) => worker(sqsEvent(sqsRecord({ scan_id: scanId })), {} as Context)

describe('legacy sessions', () => {
  it('takes a tar.gz through create, PUT, analyze and the worker to done, with deprecation headers throughout', async () => {
    const owner = await newOwner()
    const created = await call(sessions, 'POST', '/v1/sessions', {
      as: owner.token,
      body: { repository_id: await repositoryOf(owner), format: 'tar.gz' },
    })
    const session = Session.parse(created.json)
    const uploadUrl = new URL(session.upload_url!)
    expect([...uploadUrl.searchParams.keys()].filter((name) => /checksum/i.test(name))).toEqual([])

    const archive = await tarGz([
      { name: 'app/index.js', content: 'console.log(1)\n' },
      { name: 'app/util/strings.js', content: 'export const s = "x"\n' },
      { name: 'README.md', content: '# legacy\n' },
    ])
    expect((await put(session.upload_url!, archive)).status).toBe(200)
    const uploaded = await call(sessions, 'GET', `/v1/sessions/${session.id}`, { as: owner.token })
    const analyzed = await call(sessions, 'POST', `/v1/sessions/${session.id}/analyze`, { as: owner.token })
    await runWorker(analyzed.json.scan_id)
    const done = await call(sessions, 'GET', `/v1/sessions/${session.id}`, { as: owner.token })

    expect(uploaded.json.status).toBe('uploaded')
    expect(analyzed.status).toBe(202)
    expect(analyzed.json).toMatchObject({ status: 'analyzing', upload_url: null })
    expect(done.json).toMatchObject({ status: 'done', scan_id: analyzed.json.scan_id })
    const scan = await getScan(analyzed.json.scan_id)
    expect(scan).toMatchObject({
      status: 'succeeded',
      session_id: session.id,
      upload_id: null,
      input: { kind: 'archive', format: 'tar.gz', bytes: archive.length },
      stats: { files: 3, commits: 0, bytes: 15 + 21 + 9 },
    })
    for (const answer of [created, uploaded, analyzed, done]) {
      expect(answer.headers.deprecation).toMatch(/^@\d+$/)
      expect(Date.parse(answer.headers.sunset!)).toBeGreaterThan(Date.now())
      expect(answer.headers.link).toMatch(/git-uploads>; rel="successor-version"/)
    }
  })

  it('scans a zip the same way', async () => {
    const owner = await newOwner()
    const session = await newSession(owner, 'zip')
    await put(session.upload_url!, zip([{ name: 'main.py', content: 'print(1)\n', deflate: true }]))

    const analyzed = await call(sessions, 'POST', `/v1/sessions/${session.id}/analyze`, { as: owner.token })
    await runWorker(analyzed.json.scan_id)

    expect(await getScan(analyzed.json.scan_id)).toMatchObject({ status: 'succeeded', stats: { files: 1 } })
  })

  it('fails the scan of a hostile archive with its code, and the worker lives on', async () => {
    const owner = await newOwner()
    const session = await newSession(owner)
    await put(session.upload_url!, await tarGz([{ name: '../../etc/cron.d/evil', content: '* * * * * root sh\n' }]))

    const analyzed = await call(sessions, 'POST', `/v1/sessions/${session.id}/analyze`, { as: owner.token })
    const answer = await runWorker(analyzed.json.scan_id)

    expect(answer.batchItemFailures).toEqual([])
    expect(await getScan(analyzed.json.scan_id)).toMatchObject({
      status: 'failed',
      error: { code: 'unsafe_path', retryable: false },
    })
    const read = await call(sessions, 'GET', `/v1/sessions/${session.id}`, { as: owner.token })
    expect(read.json.status).toBe('failed')
  })

  it('refuses to analyze before the PUT (409), twice (409), an archive of the wrong kind (400) or too big (413)', async () => {
    const owner = await newOwner()
    const early = await newSession(owner)
    const twice = await newSession(owner)
    const wrongKind = await newSession(owner)
    const tooBig = await newSession(owner, 'zip')
    await put(twice.upload_url!, await tarGz([{ name: 'a.txt', content: 'a' }]))
    await put(wrongKind.upload_url!, zip([{ name: 'a.txt', content: 'a' }]))
    await put(
      tooBig.upload_url!,
      zip([{ name: 'noise.bin', content: Buffer.from(crypto.getRandomValues(new Uint8Array(65536))) }]),
    )
    const analyze = (id: string) => call(sessions, 'POST', `/v1/sessions/${id}/analyze`, { as: owner.token })

    const beforePut = await analyze(early.id)
    const first = await analyze(twice.id)
    const second = await analyze(twice.id)
    const wrong = await analyze(wrongKind.id)
    const big = await analyze(tooBig.id)

    expect([beforePut.status, beforePut.json.error.code]).toEqual([409, 'conflict'])
    expect(first.status).toBe(202)
    expect([second.status, second.json.error.code]).toEqual([409, 'conflict'])
    expect([wrong.status, wrong.json.error.code]).toEqual([400, 'bad_request'])
    expect([big.status, big.json.error.code, big.json.error.details.limit_bytes]).toEqual([
      413,
      'payload_too_large',
      64 * 1024,
    ])
    for (const refused of [early, wrongKind, tooBig]) {
      expect((await getSession(refused.id as SessionId))?.scan_id).toBeNull()
    }
  })

  it('checks the same quotas as every other scan: past scans_per_day, analyze answers 429 and queues nothing', async () => {
    const owner = await newOwner()
    const [first, second] = [await newSession(owner), await newSession(owner)]
    for (const session of [first, second])
      await put(session.upload_url!, await tarGz([{ name: 'a.txt', content: 'a' }]))
    const limited = await call(ops, 'PUT', '/v1/ops/limits', {
      as: owner.token,
      body: { limits: { scans_per_day: 1 } },
    })
    expect(limited.status).toBe(200)
    const analyze = (id: string) => call(sessions, 'POST', `/v1/sessions/${id}/analyze`, { as: owner.token })

    const accepted = await analyze(first.id)
    const refused = await analyze(second.id)

    expect(accepted.status).toBe(202)
    expect(refused.status).toBe(429)
    expect(refused.json.error).toMatchObject({ code: 'quota_exceeded', details: { limit: 'scans_per_day' } })
    expect(await getSession(second.id as SessionId)).toMatchObject({ status: 'awaiting_upload', scan_id: null })
  })

  it('answers 410 gone for an expired session, and offers no upload URL', async () => {
    const owner = await newOwner()
    const session = await newSession(owner)
    const record = (await getSession(session.id as SessionId))!
    // A session created an hour ago with the shortest life: expired by the clock, not by a write.
    const expired = { ...record, id: newId('session'), expires_at: new Date(Date.now() - 1000).toISOString() }
    await putSession(expired)

    const read = await call(sessions, 'GET', `/v1/sessions/${expired.id}`, { as: owner.token })
    const analyzed = await call(sessions, 'POST', `/v1/sessions/${expired.id}/analyze`, { as: owner.token })

    expect(read.json).toMatchObject({ status: 'expired', upload_url: null })
    expect([analyzed.status, analyzed.json.error.code]).toEqual([410, 'gone'])
  })

  it("hides another workspace's session and repository (404) and leaves the session untouched", async () => {
    const [alice, bob] = await Promise.all([newOwner('alice'), newOwner('bob')])
    const session = await newSession(alice)

    const read = await call(sessions, 'GET', `/v1/sessions/${session.id}`, { as: bob.token })
    const analyze = await call(sessions, 'POST', `/v1/sessions/${session.id}/analyze`, { as: bob.token })
    const create = await call(sessions, 'POST', '/v1/sessions', {
      as: bob.token,
      body: { repository_id: session.repository_id, format: 'zip' },
    })

    expect([read.status, analyze.status, create.status]).toEqual([404, 404, 404])
    expect(read.text).not.toContain(session.repository_id)
    expect((await getSession(session.id as SessionId))?.status).toBe('awaiting_upload')
  })
})
