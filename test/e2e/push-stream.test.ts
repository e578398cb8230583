// A waiting push's answer streams: the real git client prints each `remote:` line while the scan is still
// running, and the ref status last. The scans here run a first engine that holds until the test lets it
// go, so "before the scan finished" is a fact the test arranges, not a race it hopes to win.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Engine } from '../../shared/scanning/engine.js'
import { engines } from '../../shared/worker/run-scan.js'
import { gitClient, run } from '../support/git-client.js'
import { newOwner, type Person } from '../support/identity.js'
import { callApi, repositoryWith as newRepository, startPushHarness, until } from '../support/push-harness.js'
import { commandInjectionJs } from '../support/sample-app.js'

/** The first engine of every scan here: it runs until `letGo()` (and at once when nothing holds it). */
let held: Promise<void> = Promise.resolve()
let letGo = () => {}
const hold = () => {
  held = new Promise((resolve) => {
    letGo = resolve
  })
}
const holding: Engine = {
  name: 'holding',
  async run() {
    await held
    return []
  },
}

let harness: Awaited<ReturnType<typeof startPushHarness>>
let owner: Person
const work = mkdtempSync(join(tmpdir(), 'vega-stream-'))
const git = gitClient(work)
const api = (method: string, path: string, body?: unknown) => callApi(harness.url, owner.token, method, path, body)

beforeAll(async () => {
  harness = await startPushHarness({ registry: [holding, ...engines] })
  owner = await newOwner()
})

afterAll(async () => {
  letGo()
  await harness?.stop()
  rmSync(work, { recursive: true, force: true })
})

const repositoryWith = (name: string, files: Record<string, string>) => newRepository(api, git, work, name, files)

/** Starts a push of HEAD to a new upload; what git printed so far can be read while it runs. */
async function startPush(repository: { repositoryId: string; dir: string }, ...options: string[]) {
  const upload = (await api('POST', '/v1/git-uploads', { repository_id: repository.repositoryId })).json
  let printed = ''
  let exited = false
  const watched = gitClient(work, (sofar) => {
    printed = sofar
  })
  const flags = options.flatMap((option) => ['-o', option])
  const done = watched(repository.dir, 'push', ...flags, upload.remote_url, 'HEAD:refs/heads/main').then((run) => {
    exited = true
    return run
  })
  return {
    done,
    printed: () => printed,
    exited: () => exited,
    /** Resolves once git printed this. */
    printedOnce: (text: string) => until(async () => (printed.includes(text) ? true : undefined), 20_000),
  }
}

/** git's pkt-line and side-band framing, written out here rather than taken from the code under test. */
const pktLine = (text: string) => `${(Buffer.byteLength(text) + 4).toString(16).padStart(4, '0')}${text}`
const band = (channel: 1 | 2, text: string) => Buffer.from(pktLine(`${String.fromCharCode(channel)}${text}`))

/** What a client written by hand gets for one command, these push options and a pack: headers and bytes. */
async function handMadePush(repository: { repositoryId: string }, command: string, options: string[], pack: Buffer) {
  const upload = (await api('POST', '/v1/git-uploads', { repository_id: repository.repositoryId })).json
  const url = new URL(upload.remote_url)
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
  const pushOptions = options.length ? `${options.map(pktLine).join('')}0000` : ''
  const answer = await fetch(`${harness.url}/v1/git-uploads/${upload.id}/repo.git/git-receive-pack`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-git-receive-pack-request',
      authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
    },
    body: Buffer.concat([Buffer.from(`${pktLine(`${command}\n`)}0000${pushOptions}`), pack]),
  })
  expect(answer.status).toBe(200)
  return { upload: upload.id as string, headers: answer.headers, body: Buffer.from(await answer.arrayBuffer()) }
}

const scanIdIn = (printed: string) => /Scan (scan_\w+) queued/.exec(printed)?.[1]

describe('a waiting push streams its progress', () => {
  it('prints received, queued, started and each engine while the scan runs, and the failing verdict last', async () => {
    hold()
    const app = await repositoryWith('streams', { 'app.js': commandInjectionJs })

    const push = await startPush(app, 'vega.wait=60')
    await push.printedOnce('remote: Vega: engine holding running')
    const whileRunning = push.printed()
    const scanWhileRunning = (await api('GET', `/v1/scans/${scanIdIn(whileRunning)}`)).json
    const exitedWhileRunning = push.exited()
    letGo()
    const pushed = await push.done

    expect(scanWhileRunning.status).toBe('running')
    expect(exitedWhileRunning).toBe(false)
    expect(whileRunning).toMatch(/remote: Vega received 3 objects \(\d+ bytes\) for upload upl_\w+\./)
    expect(whileRunning).toMatch(/remote: Scan scan_\w+ queued: http/)
    expect(whileRunning).toMatch(/remote: Vega: scan started \([\d.]+ s in the queue\)/)
    expect(whileRunning).toContain('remote: Vega: scanning 1 file (1 blob in 1 commit)')
    expect(whileRunning).not.toContain('succeeded')
    expect(whileRunning).not.toContain('[remote rejected]')
    expect(pushed.code, pushed.err).not.toBe(0)
    // git pads each remote line with spaces to clear the terminal's line.
    const lines = pushed.err.split('\n').map((line) => line.trimEnd())
    const at = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line))
    // The engines run at once: the others finish while `holding` holds the scan, then it does (the
    // moment all four ran may be written over before a poll reads it: progress keeps the newest state).
    const others = [
      at(/remote: Vega: engine secrets done in [\d.]+ s: 0 findings/),
      at(/remote: Vega: engine code done in [\d.]+ s: 1 finding$/),
      at(/remote: Vega: engine dependencies done in [\d.]+ s: 0 findings/),
    ]
    expect(
      others.every((index) => index >= 0 && index < at(/remote: Vega: engine holding running/)),
      pushed.err,
    ).toBe(true)
    const order = [
      at(/remote: Vega: engine holding running/),
      at(/remote: Vega: engine holding done in [\d.]+ s: 0 findings/),
      at(/remote: Vega: scan scan_\w+ succeeded \(waited [\d.]+ s\): 1 open finding \(1 critical\), 1 new/),
      at(/remote: Vega: gate failed: block-new-critical-and-high \(1\)/),
      at(/! \[remote rejected\] HEAD -> main \(vega: gate failed: 1 new \(1 critical\)\)/),
    ]
    expect(
      order.every((index) => index >= 0),
      pushed.err,
    ).toBe(true)
    expect([...order].sort((a, b) => a - b)).toEqual(order)
  })

  it('prints the scan URL and rejects the ref when the scan outlasts the wait, having streamed what it saw', async () => {
    hold()
    const app = await repositoryWith('outlasts', { 'README.md': '# slow\n' })

    const pushed = await (await startPush(app, 'vega.wait=2')).done
    const scanId = scanIdIn(pushed.err)
    const scan = (await api('GET', `/v1/scans/${scanId}`)).json
    letGo()

    expect(pushed.code, pushed.err).not.toBe(0)
    expect(scan.status).toBe('running')
    expect(pushed.err).toContain('remote: Vega: engine holding running')
    expect(pushed.err).toContain(
      `remote: Vega: scan ${scanId} has no verdict after 2 s; it goes on: ${harness.url}/v1/`,
    )
    expect(pushed.err).toMatch(/! \[remote rejected\] HEAD -> main \(vega: no verdict within 2 s\)/)
    // What the push prints a CI job to do next: `vega wait` on that scan finishes the job.
    const waited = await run(process.execPath, [resolve('bin/vega.mjs'), 'wait', scanId!], {
      cwd: work,
      env: { ...process.env, VEGA_API_URL: harness.url, VEGA_TOKEN: owner.token, HOME: work, XDG_CONFIG_HOME: work },
    })
    expect(waited.code, waited.err).toBe(0)
    expect(waited.out).toMatch(/^gate passed/)
    expect((await api('GET', `/v1/scans/${scanId}`)).json.status).toBe('succeeded')
  })

  it('answers a push without vega.wait with the bytes it always did, whole and with its length; a waiting one chunked', async () => {
    const app = await repositoryWith('whole', { 'README.md': '# quick\n' })
    const head = (await git(app.dir, 'rev-parse', 'HEAD')).out.trim()
    const pack = execFileSync('git', ['pack-objects', '--stdout'], {
      cwd: app.dir,
      input: (await git(app.dir, 'rev-list', '--objects', 'HEAD')).out,
    })
    const command = `${'0'.repeat(40)} ${head} refs/heads/main`

    const plain = await handMadePush(app, `${command}\0report-status side-band-64k`, [], pack)
    const waiting = await handMadePush(
      app,
      `${command}\0report-status side-band-64k push-options`,
      ['vega.wait=30'],
      pack,
    )

    const scanId = /Scan (scan_\w+) queued/.exec(plain.body.toString())?.[1]
    const findings = `${harness.url}/v1/repositories/${app.repositoryId}/findings?scan=${scanId}`
    const expected = Buffer.concat([
      band(2, `Vega received 3 objects (${pack.length} bytes) for upload ${plain.upload}.\n`),
      band(2, `Scan ${scanId} queued: ${harness.url}/v1/scans/${scanId}\n`),
      band(2, `Findings, once it is done: ${findings}\n`),
      band(1, `${pktLine('unpack ok\n')}${pktLine('ok refs/heads/main\n')}0000`),
      Buffer.from('0000'),
    ])
    expect(plain.body.toString('latin1')).toBe(expected.toString('latin1'))
    expect(plain.headers.get('content-length')).toBe(String(expected.length))
    expect(plain.headers.get('transfer-encoding')).toBeNull()
    expect(waiting.headers.get('content-length')).toBeNull()
    expect(waiting.headers.get('transfer-encoding')).toBe('chunked')
    expect(waiting.body.toString('latin1')).toContain(`${String.fromCharCode(2)}Vega: engine holding done in `)
    expect(waiting.body.subarray(-4).toString()).toBe('0000')
  })
})
