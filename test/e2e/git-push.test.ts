import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { UpdateCommand } from '@aws-sdk/lib-dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiClient } from '../../cli/client.js'
import { push } from '../../cli/push.js'
import { documents } from '../../shared/aws/clients.js'
import { tableName } from '../../shared/data/db.js'
import * as keys from '../../shared/data/keys.js'
import { getScan } from '../../shared/data/scans.js'
import { getObjectBytes } from '../../shared/storage/objects.js'
import { gitClient } from '../support/git-client.js'
import { newOwner, type Person } from '../support/identity.js'
import { callApi, startPushHarness, until } from '../support/push-harness.js'

let harness: Awaited<ReturnType<typeof startPushHarness>>
let owner: Person
let repositoryId: string
const work = mkdtempSync(join(tmpdir(), 'vega-git-'))

const git = gitClient(work)

async function newRepo(name: string, files: Record<string, string>) {
  const dir = join(work, name)
  await git(work, 'init', '-q', dir)
  for (const [path, content] of Object.entries(files)) writeFileSync(join(dir, path), content)
  await git(dir, 'add', '.')
  await git(dir, 'commit', '-q', '-m', 'first')
  return dir
}

const api = (method: string, path: string, body?: unknown) => callApi(harness.url, owner.token, method, path, body)

const newUpload = async () => (await api('POST', '/v1/git-uploads', { repository_id: repositoryId })).json

/** A commit's pack, made by git, for a client written by hand (one that sends what git never would). */
async function handMadePush(name: string) {
  const repo = await newRepo(name, { 'd.txt': `${name}\n` })
  const upload = await newUpload()
  const head = (await git(repo, 'rev-parse', 'HEAD')).out.trim()
  const objects = (await git(repo, 'rev-list', '--objects', 'HEAD')).out
  const pack = execFileSync('git', ['pack-objects', '--stdout'], { cwd: repo, input: objects })
  return { upload, pack, head }
}

/** POSTs one receive-pack command and a pack with the upload's credentials; the report git would read. */
async function receivePack(upload: { id: string; remote_url: string }, command: string, pack: Buffer) {
  const pktLine = (text: string) => `${(Buffer.byteLength(text) + 4).toString(16).padStart(4, '0')}${text}`
  const url = new URL(upload.remote_url)
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
  const answer = await fetch(`${harness.url}/v1/git-uploads/${upload.id}/repo.git/git-receive-pack`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-git-receive-pack-request',
      authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
    },
    body: Buffer.concat([Buffer.from(`${pktLine(`${command}\0report-status\n`)}0000`), pack]),
  })
  expect(answer.status).toBe(200)
  return answer.text()
}

beforeAll(async () => {
  harness = await startPushHarness()
  owner = await newOwner()
  const project = (await api('POST', '/v1/projects', { name: 'git' })).json
  repositoryId = (await api('POST', '/v1/repositories', { project_id: project.id, name: 'pushed' })).json.id
})

afterAll(async () => {
  await harness?.stop()
  rmSync(work, { recursive: true, force: true })
})

describe('git push to a temporary remote', () => {
  it('stores the pack, queues a scan, and prints where its results will be', async () => {
    const repo = await newRepo('fresh', { 'README.md': '# hello\n', 'app.js': 'console.log(1)\n' })
    const upload = await newUpload()

    const push = await git(repo, 'push', upload.remote_url, 'HEAD:refs/heads/main')

    expect(push.code, push.err).toBe(0)
    const scanId = /Scan (scan_\w+) queued/.exec(push.err)?.[1]
    expect(scanId).toBeDefined()
    expect(push.err).toContain(`remote: Scan ${scanId} queued: ${harness.url}/v1/scans/${scanId}`)
    expect(push.err).toContain(
      `remote: Findings, once it is done: ${harness.url}/v1/repositories/${repositoryId}/findings?scan=${scanId}`,
    )
    const scan = await api('GET', `/v1/repositories/${repositoryId}/scans/${scanId}`)
    expect(scan.json).toMatchObject({ id: scanId, upload_id: upload.id })
    expect(['queued', 'running', 'succeeded']).toContain(scan.json.status)
    const stored = await getScan(scanId as never)
    const pack = await getObjectBytes(stored!.input.key)
    expect(pack.subarray(0, 4).toString()).toBe('PACK')
    expect(stored!.input.refs).toEqual([
      { ref: 'refs/heads/main', oid: (await git(repo, 'rev-parse', 'HEAD')).out.trim() },
    ])
    expect((await api('GET', `/v1/git-uploads/${upload.id}`)).json).toMatchObject({
      status: 'received',
      scan_id: scanId,
      remote_url: null,
    })
    const finished = await until(async () => {
      const answer = await api('GET', `/v1/repositories/${repositoryId}/scans/${scanId}`)
      return answer.json.status === 'succeeded' ? answer.json : undefined
    })
    expect(finished.stats).toMatchObject({ files: 2, commits: 1 })
    const rescan = await api('POST', `/v1/repositories/${repositoryId}/scans`, {})
    expect(rescan.status).toBe(202)
    const rescanned = await until(async () => {
      const answer = await api('GET', `/v1/repositories/${repositoryId}/scans/${rescan.json.id}`)
      return answer.json.status === 'succeeded' ? answer.json : undefined
    })
    // The same input read again: the same figures, but what the first scan found clean may be reused.
    const { reuse, duration_ms } = rescanned.stats
    expect(rescanned.stats).toEqual({ ...finished.stats, duration_ms, reuse })
    for (const engine of ['secrets', 'code'])
      expect(reuse[engine].scanned_blobs + reuse[engine].reused_blobs).toBe(finished.stats.reuse[engine].scanned_blobs)
    const events = (await api('GET', `/v1/repositories/${repositoryId}/events`)).json.items
      .filter(
        (e: { data: { scan_id?: string; upload_id?: string } }) =>
          e.data.scan_id === scanId || e.data.upload_id === upload.id,
      )
      .map((e: { type: string }) => e.type)
    expect(events).toEqual(['scan.succeeded', 'scan.started', 'scan.queued', 'upload.received', 'upload.created'])
  })

  it('refuses a second push to the same upload, and git exits non-zero', async () => {
    const repo = await newRepo('twice', { 'a.txt': 'a\n' })
    const upload = await newUpload()
    expect((await git(repo, 'push', upload.remote_url, 'HEAD:refs/heads/main')).code).toBe(0)
    await git(repo, 'commit', '-q', '--allow-empty', '-m', 'second')

    const again = await git(repo, 'push', upload.remote_url, 'HEAD:refs/heads/other')

    expect(again.code).not.toBe(0)
    expect(again.err).toContain('already took its one push')
  })

  it('takes tags and several branches in one push, and a chunked body', async () => {
    const repo = await newRepo('many', { 'big.txt': 'x'.repeat(200_000) + Math.random() })
    await git(repo, 'tag', 'v1')
    await git(repo, 'branch', 'feature')
    const upload = await newUpload()

    const push = await git(repo, '-c', 'http.postBuffer=4096', 'push', upload.remote_url, '--all', '--follow-tags')
    const tags = await git(repo, 'push', upload.remote_url, '--tags')

    expect(push.code, push.err).toBe(0)
    const scan = await getScan((await api('GET', `/v1/git-uploads/${upload.id}`)).json.scan_id)
    expect(scan!.input.refs!.map((r) => r.ref).sort()).toEqual(['refs/heads/feature', 'refs/heads/main'])
    expect(tags.code).not.toBe(0)
  })

  it('refuses a push to an expired upload, saying so', async () => {
    const repo = await newRepo('late', { 'b.txt': 'b\n' })
    const upload = await newUpload()
    await documents().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.uploadById(upload.id),
        UpdateExpression: 'SET expires_at = :past',
        ExpressionAttributeValues: { ':past': '2020-01-01T00:00:00.000Z' },
      }),
    )

    const push = await git(repo, 'push', upload.remote_url, 'HEAD:refs/heads/main')

    expect(push.code).not.toBe(0)
    expect(push.err).toContain('expired')
    expect((await api('GET', `/v1/git-uploads/${upload.id}`)).json.status).toBe('expired')
  })

  it('refuses a push to a released upload, saying it was released', async () => {
    const repo = await newRepo('released', { 'e.txt': 'e\n' })
    const upload = await newUpload()
    expect((await api('DELETE', `/v1/git-uploads/${upload.id}`)).status).toBe(204)

    const push = await git(repo, 'push', upload.remote_url, 'HEAD:refs/heads/main')

    expect(push.code).not.toBe(0)
    expect(push.err).toContain(`upload ${upload.id} was released by its owner`)
    expect(push.err).not.toContain('already took its one push')
  })

  it('asks for credentials and refuses a wrong token', async () => {
    const repo = await newRepo('wrong', { 'c.txt': 'c\n' })
    const upload = await newUpload()
    const url = new URL(upload.remote_url)
    url.password = 'vgu_wrong'

    const push = await git(repo, 'push', url.href, 'HEAD:refs/heads/main')
    const anonymous = await fetch(
      `${harness.url}/v1/git-uploads/${upload.id}/repo.git/info/refs?service=git-receive-pack`,
    )

    expect(push.code).not.toBe(0)
    expect(push.err).toMatch(/Authentication failed|could not read Username/)
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toContain('Basic')
    expect((await api('GET', `/v1/git-uploads/${upload.id}`)).json.status).toBe('awaiting_push')
  })

  it('refuses a ref name git itself would refuse, sent by a hand-made client, and the upload stays open', async () => {
    const { upload, pack, head } = await handMadePush('crafted')

    const report = await receivePack(upload, `${'0'.repeat(40)} ${head} refs/heads/../../x`, pack)

    expect(report).toContain('ng refs/heads/../../x')
    expect(report).toContain('holds ..')
    expect((await api('GET', `/v1/git-uploads/${upload.id}`)).json.status).toBe('awaiting_push')
  })

  it('refuses a pack whose header claims more objects than its bytes can hold, before acknowledging it', async () => {
    const { upload, pack, head } = await handMadePush('lying')
    const lying = Buffer.from(pack)
    lying.writeUInt32BE(0xffffffff, 8)
    createHash('sha1')
      .update(lying.subarray(0, -20))
      .digest()
      .copy(lying, lying.length - 20)

    const report = await receivePack(upload, `${'0'.repeat(40)} ${head} refs/heads/main`, lying)

    expect(report).toContain('ng refs/heads/main')
    expect(report).toContain('the pack claims 4294967295 objects')
    expect(report).not.toContain('queued')
    expect((await api('GET', `/v1/git-uploads/${upload.id}`)).json.status).toBe('awaiting_push')
  })

  it('refuses clone and fetch: the URL only accepts git push', async () => {
    const upload = await newUpload()

    const clone = await git(work, 'clone', upload.remote_url, join(work, 'clone-attempt'))

    expect(clone.code).not.toBe(0)
    expect(clone.err).toContain('only accepts git push')
  })

  it('takes a git bundle through the presigned URL, then complete queues its scan, which succeeds', async () => {
    const repo = await newRepo('bundled', { 'main.py': 'print("hi")\n', 'lib.py': 'x = 1\n' })
    await git(repo, 'bundle', 'create', join(work, 'repo.bundle'), '--all')
    const upload = await newUpload()

    const early = await api('POST', `/v1/git-uploads/${upload.id}/complete`)
    const put = await fetch(upload.bundle_upload_url, { method: 'PUT', body: readFileSync(join(work, 'repo.bundle')) })
    const completed = await api('POST', `/v1/git-uploads/${upload.id}/complete`)
    const twice = await api('POST', `/v1/git-uploads/${upload.id}/complete`)

    expect(early.status).toBe(409)
    expect(put.status).toBe(200)
    expect(completed.status).toBe(202)
    expect(completed.json).toMatchObject({ status: 'received', scan_id: expect.stringMatching(/^scan_/) })
    expect(twice.status).toBe(409)
    const finished = await until(async () => {
      const scan = await api('GET', `/v1/repositories/${repositoryId}/scans/${completed.json.scan_id}`)
      return scan.json.status === 'succeeded' ? scan.json : undefined
    })
    expect(finished.stats).toMatchObject({ files: 2, commits: 1 })
  })

  it('refuses to complete with something that is not a bundle', async () => {
    const upload = await newUpload()
    await fetch(upload.bundle_upload_url, { method: 'PUT', body: 'hello, not a bundle' })

    const answer = await api('POST', `/v1/git-uploads/${upload.id}/complete`)

    expect(answer.status).toBe(400)
    expect(answer.json.error.details.code).toBe('bad_bundle')
    expect((await api('GET', `/v1/git-uploads/${upload.id}`)).json.status).toBe('awaiting_push')
  })

  it('deletes a pushed repository only with cascade, and then its scans, uploads and stored packs go too', async () => {
    const project = (await api('POST', '/v1/projects', { name: `doomed-${Date.now()}` })).json
    const doomed = (await api('POST', '/v1/repositories', { project_id: project.id, name: 'doomed' })).json.id
    const upload = (await api('POST', '/v1/git-uploads', { repository_id: doomed })).json
    const repo = await newRepo('doomed', { 'x.txt': 'x\n' })
    const push = await git(repo, 'push', upload.remote_url, 'HEAD:refs/heads/main')
    const scanId = /Scan (scan_\w+) queued/.exec(push.err)![1]!
    await until(async () => ((await getScan(scanId as never))?.status === 'succeeded' ? true : undefined))
    const packKey = (await getScan(scanId as never))!.input.key

    const refused = await api('DELETE', `/v1/repositories/${doomed}`)
    const deleted = await api('DELETE', `/v1/repositories/${doomed}?cascade=true`)

    expect(refused.status).toBe(409)
    expect(deleted.status).toBe(204)
    expect(await getScan(scanId as never)).toBeUndefined()
    expect((await api('GET', `/v1/git-uploads/${upload.id}`)).status).toBe(404)
    await expect(getObjectBytes(packKey)).rejects.toThrow()
    expect((await api('GET', `/v1/projects/${project.id}`)).json.repository_count).toBe(0)
  })

  it('refuses a push over the size limit, naming the ways to push less, and keeps the upload open', async () => {
    const repo = await newRepo('huge', { 'random.bin': randomBytes(300_000).toString('base64') })
    const upload = await newUpload()

    const push = await git(repo, 'push', upload.remote_url, 'HEAD:refs/heads/main')

    expect(push.code).not.toBe(0)
    expect(push.err).toContain('git_push_max_bytes is 100000')
    expect(push.err).toContain('git commit-tree')
    expect(push.err).toContain('bundle_upload_url')
    expect((await api('GET', `/v1/git-uploads/${upload.id}`)).json.status).toBe('awaiting_push')
  })

  it('tells in the creation answer where the push limit is and where a bundle goes past it', async () => {
    const upload = await newUpload()

    expect(upload).toMatchObject({
      push_max_bytes: 100_000,
      bundle_max_bytes: expect.any(Number),
      complete_url: `${harness.url}/v1/git-uploads/${upload.id}/complete`,
    })
  })
})

describe('vega push (npm run push)', () => {
  /** The push, then its scan once it is over (through the API, as the CLI follows it). */
  const pushed = async (dir: string) => {
    const outcome = await push({ dir, api: apiClient(harness.url, owner.token), repositoryId })
    const scan = await until(async () => {
      const answer = (await api('GET', `/v1/scans/${outcome.scanId}`)).json
      return ['queued', 'running'].includes(answer.status) ? undefined : answer
    }, 30_000)
    return { ...outcome, scan }
  }

  it('sends a small repository by git push and waits for its scan', async () => {
    const repo = await newRepo('cli-small', { 'app.py': 'print("small")\n' })

    const outcome = await pushed(repo)

    expect(outcome.route).toBe('push')
    expect(outcome.packBytes).toBeLessThan(100_000)
    expect(outcome.scan).toMatchObject({ status: 'succeeded', stats: { files: 1 } })
  })

  it('picks the bundle route by itself for a pack over the push limit', async () => {
    const repo = await newRepo('cli-large', {
      'random.bin': randomBytes(300_000).toString('base64'),
      'app.py': 'print("large")\n',
    })

    const outcome = await pushed(repo)

    expect(outcome.route).toBe('bundle')
    expect(outcome.packBytes).toBeGreaterThan(100_000)
    expect(outcome.scan).toMatchObject({ status: 'succeeded', stats: { files: 2, commits: 1 } })
    expect((await api('GET', `/v1/git-uploads/${outcome.uploadId}`)).json.status).toBe('received')
  })
})
