// The `vega` CLI as a user runs it (`node bin/vega.mjs`, a child process) against the local API with the
// real worker: every command, its human and --json output, its exit code, bad usage and a revoked key.
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gitClient, run } from '../support/git-client.js'
import { newOwner, type Person } from '../support/identity.js'
import { callApi, startPushHarness } from '../support/push-harness.js'
import { commandInjectionJs } from '../support/sample-app.js'

let harness: Awaited<ReturnType<typeof startPushHarness>>
let owner: Person
let key: { id: string; key: string }
let repositoryId: string
const work = mkdtempSync(join(tmpdir(), 'vega-cli-'))
const git = gitClient(work)
const bin = resolve('bin/vega.mjs')

/** Runs the CLI with the key (unless told otherwise) and a config folder of this test's own. */
const vega = (args: string[], env: Record<string, string | undefined> = {}, input?: string) =>
  run(process.execPath, [bin, ...args], {
    cwd: work,
    env: {
      ...process.env,
      VEGA_API_URL: harness.url,
      VEGA_API_KEY: key.key,
      XDG_CONFIG_HOME: join(work, 'config'),
      HOME: work,
      ...env,
    },
    input,
  })

beforeAll(async () => {
  harness = await startPushHarness()
  owner = await newOwner()
  const api = (method: string, path: string, body?: unknown) => callApi(harness.url, owner.token, method, path, body)
  key = (await api('POST', '/v1/api-keys', { name: 'ci', scopes: ['read', 'write', 'upload'] })).json
  const project = (await api('POST', '/v1/projects', { name: 'cli' })).json
  repositoryId = (await api('POST', '/v1/repositories', { project_id: project.id, name: 'cli' })).json.id
  const dir = join(work, 'app')
  await git(work, 'init', '-q', dir)
  writeFileSync(join(dir, 'app.js'), commandInjectionJs)
  await git(dir, 'add', '-A')
  await git(dir, 'commit', '-q', '-m', 'app')
})

afterAll(async () => {
  await harness?.stop()
  rmSync(work, { recursive: true, force: true })
})

describe('vega, the CLI', () => {
  let first: string
  let second: string

  it('push: sends HEAD, prints the verdict, and exits 1 when the gate fails', async () => {
    const pushed = await vega(['push', 'app', '--repo', repositoryId, '--wait', '60', '--fail-on', 'high'])

    expect(pushed.code, pushed.err).toBe(1)
    expect(pushed.err).toContain('remote: Vega: gate failed: block-new-critical-and-high (1)')
    expect(pushed.err).not.toMatch(/vgu_/)
    first = /scan (scan_\w+) succeeded/.exec(pushed.out)![1]!
  })

  it('gate, findings and sarif read that scan, as tables or as JSON', async () => {
    const gate = await vega(['gate', first])
    const gateJson = await vega(['gate', first, '--json'])
    const findings = await vega(['findings', '--repo', repositoryId, '--scan', first])
    const findingsJson = await vega(['findings', '--repo', repositoryId, '--scan', first, '--json'])
    const sarif = await vega(['sarif', first])

    expect(gate.code).toBe(1)
    expect(gate.out).toMatch(
      /^gate failed \(default policy, new against nothing\)\n {2}block {2}block-new-critical-and-high: 1\nfindings: http/,
    )
    expect(JSON.parse(gateJson.out)).toMatchObject({ id: first, status: 'succeeded', gate: { verdict: 'failed' } })
    expect(findings.code).toBe(0)
    expect(findings.out.split('\n')[0]).toMatch(/^SEVERITY +ENGINE +RULE +WHERE +TITLE$/)
    expect(findings.out).toMatch(/critical +code +js-command-injection +app\.js:2/)
    expect(JSON.parse(findingsJson.out).items).toHaveLength(1)
    expect(JSON.parse(sarif.out)).toMatchObject({ version: '2.1.0', runs: [{ results: [expect.anything()] }] })
  })

  it('scan --wait rescans and passes (the finding is no longer new); wait and compare follow scans', async () => {
    const scanned = await vega(['scan', '--repo', repositoryId, '--wait', '60', '--json'])
    second = JSON.parse(scanned.out).id
    const waited = await vega(['wait', second])
    const compared = await vega(['compare', first, second])

    expect(scanned.code, scanned.err).toBe(0)
    expect(JSON.parse(scanned.out)).toMatchObject({ status: 'succeeded', gate: { verdict: 'passed' } })
    expect(waited.code).toBe(0)
    expect(waited.out).toMatch(/^gate passed/)
    expect(compared.out).toBe('NEW  FIXED  UNCHANGED\n0    0      1\n')
  })

  it('push over the push limit goes as a bundle, followed through the API and judged the same way', async () => {
    const api = (method: string, path: string, body?: unknown) => callApi(harness.url, owner.token, method, path, body)
    const project = (await api('POST', '/v1/projects', { name: 'cli-bundle' })).json
    const bigRepository = (await api('POST', '/v1/repositories', { project_id: project.id, name: 'big' })).json.id
    const dir = join(work, 'big')
    await git(work, 'init', '-q', dir)
    writeFileSync(join(dir, 'app.js'), commandInjectionJs)
    writeFileSync(join(dir, 'random.txt'), randomBytes(300_000).toString('base64'))
    await git(dir, 'add', '-A')
    await git(dir, 'commit', '-q', '-m', 'big')

    /** Another 300 KB commit: even without what Vega holds, the push is over the limit. */
    const grow = async (name: string) => {
      writeFileSync(join(dir, name), randomBytes(300_000).toString('base64'))
      await git(dir, 'add', '-A')
      await git(dir, 'commit', '-q', '-m', name)
    }
    const first = await vega(['push', 'big', '--repo', bigRepository, '--wait', '60'])
    await grow('more.txt')
    const again = await vega(['push', 'big', '--repo', bigRepository, '--wait', '60'])
    await grow('even-more.txt')
    const failOn = await vega(['push', 'big', '--repo', bigRepository, '--wait', '60', '--fail-on', 'high'])
    // A small change: the remote offers what Vega holds, so the push is what changed, under the limit.
    writeFileSync(join(dir, 'note.txt'), 'a small change\n')
    await git(dir, 'add', '-A')
    await git(dir, 'commit', '-q', '-m', 'small')
    const small = await vega(['push', 'big', '--repo', bigRepository, '--wait', '60'])

    for (const run of [first, again, failOn]) expect(run.err).toContain('so it goes as a git bundle')
    expect(small.err).toContain('so it goes as a git push')
    expect(small.err).toMatch(/Vega received [1-5] objects/)
    expect(small.code, small.err).toBe(0)
    expect(first.code).toBe(1)
    expect(first.err).toContain('gate failed (default policy')
    // The second push finds nothing new: the gate passes, and only --fail-on fails it.
    expect(again.code, again.err).toBe(0)
    expect(again.err).toContain('gate passed')
    expect(failOn.code).toBe(1)
    expect(failOn.err).toContain('vega: fail-on high: open findings at or above it')
  }, 90_000)

  it('login saves a token (password on stdin) that later commands use without a key', async () => {
    const login = await vega(['login', '--email', owner.email], { VEGA_API_KEY: undefined }, `${owner.password}\n`)
    const gate = await vega(['gate', second], { VEGA_API_KEY: undefined })
    const wrong = await vega(['login', '--email', owner.email], { VEGA_API_KEY: undefined }, 'not-the-password\n')

    expect(login.code, login.err).toBe(0)
    expect(login.err).toContain('signed in')
    expect(login.err + login.out).not.toContain(owner.password)
    expect(gate.code).toBe(0)
    expect(wrong.code).toBe(3)
    expect(wrong.err).toMatch(/^vega: 401 /)
  })

  it('answers bad usage with exit 2 and the usage, and an API error with exit 3 naming its code', async () => {
    const noRepo = await vega(['findings'])
    const unknown = await vega(['nope'])
    const badWait = await vega(['push', 'app', '--repo', repositoryId, '--wait', 'soon'])
    const noSuchScan = await vega(['gate', 'scan_01M0000000000000000000000X'])

    for (const answer of [noRepo, unknown, badWait]) {
      expect(answer.code).toBe(2)
      expect(answer.err).toContain('usage: vega <command>')
    }
    expect(noRepo.err).toContain('vega: name the repository: --repo rep_…')
    expect(noSuchScan.code).toBe(3)
    expect(noSuchScan.err).toMatch(/^vega: 404 not_found: /)
  })

  it('exits 3 with 401 once its key is revoked', async () => {
    const sha256 = createHash('sha256').update(key.key).digest('hex')
    await callApi(harness.url, owner.token, 'POST', '/v1/api-keys/revoke', { sha256 })

    const revoked = await vega(['gate', first])

    expect(revoked.code).toBe(3)
    expect(revoked.err).toMatch(/^vega: 401 unauthorized: /)
    expect(revoked.err).not.toContain(key.key)
  })
})
