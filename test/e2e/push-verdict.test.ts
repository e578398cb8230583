// `git push -o vega.wait=N`: the real git client pushes to the local API with the real worker scanning, and
// the push itself reports the verdict, failing (non-zero) when the gate fails or a finding reaches fail-on.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gitClient } from '../support/git-client.js'
import { newOwner, type Person } from '../support/identity.js'
import { callApi, repositoryWith as newRepository, startPushHarness } from '../support/push-harness.js'
import { commandInjectionJs } from '../support/sample-app.js'

let harness: Awaited<ReturnType<typeof startPushHarness>>
let owner: Person
const work = mkdtempSync(join(tmpdir(), 'vega-verdict-'))
const git = gitClient(work)
const api = (method: string, path: string, body?: unknown) => callApi(harness.url, owner.token, method, path, body)

beforeAll(async () => {
  harness = await startPushHarness()
  owner = await newOwner()
})

afterAll(async () => {
  await harness?.stop()
  rmSync(work, { recursive: true, force: true })
})

const repositoryWith = (name: string, files: Record<string, string>) => newRepository(api, git, work, name, files)

/** Pushes HEAD to a new upload of the repository, with these push options. */
async function push(repository: { repositoryId: string; dir: string }, ...options: string[]) {
  const upload = (await api('POST', '/v1/git-uploads', { repository_id: repository.repositoryId })).json
  const flags = options.flatMap((option) => ['-o', option])
  return git(repository.dir, 'push', ...flags, upload.remote_url, 'HEAD:refs/heads/main')
}

const scansOf = async (repositoryId: string) => (await api('GET', `/v1/repositories/${repositoryId}/scans`)).json.items

describe('git push -o vega.wait', () => {
  it('fails the push when the gate fails, with the summary and the rules that fired in its output', async () => {
    const app = await repositoryWith('gate-fails', { 'app.js': commandInjectionJs })

    const pushed = await push(app, 'vega.wait=60')

    expect(pushed.code, pushed.err).not.toBe(0)
    expect(pushed.err).toMatch(
      /remote: Vega: scan scan_\w+ succeeded \(waited [\d.]+ s\): 1 open finding \(1 critical\), 1 new \(1 critical\)/,
    )
    expect(pushed.err).toContain(
      'remote: Vega: gate failed: block-new-critical-and-high (1) [default policy; new against nothing: no earlier scan]',
    )
    expect(pushed.err).toMatch(/! \[remote rejected\] HEAD -> main \(vega: gate failed: 1 new \(1 critical\)\)/)
    expect(pushed.err).toMatch(
      new RegExp(`remote: Vega: findings: ${harness.url}/v1/repositories/${app.repositoryId}/findings`),
    )
  })

  it('passes a clean push (exit 0), and fails a second push of a known finding only through fail-on', async () => {
    const clean = await repositoryWith('clean', { 'README.md': '# nothing to see\n' })
    const app = await repositoryWith('known', { 'app.js': commandInjectionJs })
    await push(app)
    await until(async () => (await scansOf(app.repositoryId))[0]?.status === 'succeeded')

    const passed = await push(clean, 'vega.wait=60', 'vega.fail-on=high')
    const knownOnly = await push(app, 'vega.wait=60')
    const failOn = await push(app, 'vega.wait=60', 'vega.fail-on=high')

    expect(passed.code, passed.err).toBe(0)
    expect(passed.err).toMatch(/0 open findings, 0 new/)
    expect(passed.err).toContain('remote: Vega: gate passed')
    expect(passed.err).toContain('remote: Vega: fail-on high: 0 open findings at or above it')
    // The finding was seen before: the default gate blocks only new ones.
    expect(knownOnly.code, knownOnly.err).toBe(0)
    expect(knownOnly.err).toMatch(/1 open finding \(1 critical\), 0 new/)
    expect(failOn.code).not.toBe(0)
    expect(failOn.err).toMatch(/\(vega: 1 finding at or above high\)/)
  })

  it('measures new against the baseline the push names: a scan id, or the latest scan of a branch', async () => {
    const app = await repositoryWith('baseline', { 'app.js': commandInjectionJs })
    const first = await push(app, 'vega.wait=60')
    const firstScan = /Scan (scan_\w+) queued/.exec(first.err)![1]!
    const other = await repositoryWith('baseline-other', { 'README.md': '# other\n' })
    const otherScan = /Scan (scan_\w+) queued/.exec((await push(other, 'vega.wait=60')).err)![1]!

    const byId = await push(app, 'vega.wait=60', `vega.baseline=${firstScan}`)
    const byBranch = await push(app, 'vega.wait=60', 'vega.baseline=main')
    const noSuchBranch = await push(app, 'vega.wait=60', 'vega.baseline=release')
    const foreign = await push(app, 'vega.wait=60', `vega.baseline=${otherScan}`)
    const malformed = await push(app, 'vega.wait=60', 'vega.baseline=bad..name')

    expect(first.code).not.toBe(0)
    expect(byId.code, byId.err).toBe(0)
    expect(byId.err).toContain(`1 open finding (1 critical), 0 new`)
    expect(byId.err).toContain(`new against ${firstScan}]`)
    expect(byBranch.code, byBranch.err).toBe(0)
    expect(byBranch.err).toMatch(/new against scan_\w+\]/)
    // A branch no scan was pushed to: nothing to compare with, so everything is new and the gate fails.
    expect(noSuchBranch.code).not.toBe(0)
    expect(noSuchBranch.err).toContain('new against nothing: no earlier scan]')
    expect(foreign.code).not.toBe(0)
    expect(foreign.err).toContain(`push option vega.baseline: no scan ${otherScan} in this repository`)
    expect(malformed.err).toContain(
      'push option "vega.baseline=bad..name": baseline is a scan id (scan_…) or a branch name',
    )
  })

  it('runs only the engines asked for', async () => {
    const app = await repositoryWith('engines', { 'app.js': commandInjectionJs })

    const pushed = await push(app, 'vega.wait=60', 'vega.engines=secrets')

    expect(pushed.code, pushed.err).toBe(0)
    expect(pushed.err).toMatch(/0 open findings/)
    expect((await scansOf(app.repositoryId))[0].engines).toEqual(['secrets'])
  })

  it('refuses an unknown or malformed option with a clear line, storing and queuing nothing', async () => {
    const app = await repositoryWith('bad-options', { 'app.js': commandInjectionJs })

    const answers = [
      await push(app, 'vega.wait=soon'),
      await push(app, 'vega.fail-on=urgent'),
      await push(app, 'vega.engines=secrets,magic'),
      await push(app, 'vega.max-cost=-1'),
      await push(app, 'ci.skip'),
    ]

    for (const answer of answers) expect(answer.code).not.toBe(0)
    expect(answers[0]!.err).toContain('push option "vega.wait=soon": give whole seconds, e.g. vega.wait=120')
    expect(answers[1]!.err).toContain('fail-on is one of critical, high, medium, low, info or none')
    expect(answers[2]!.err).toContain('engines are a comma-separated list of secrets, code, dependencies')
    expect(answers[3]!.err).toContain('max-cost is an amount in the billing currency')
    expect(answers[4]!.err).toContain('push option "ci.skip" is not one Vega knows. Vega takes -o vega.wait=…')
    expect(await scansOf(app.repositoryId)).toEqual([])
  })

  it('leaves a push without options as it was: queued, answered at once, exit 0', async () => {
    const app = await repositoryWith('no-options', { 'app.js': commandInjectionJs })

    const pushed = await push(app)

    expect(pushed.code, pushed.err).toBe(0)
    expect(pushed.err).toMatch(/Scan scan_\w+ queued/)
    expect(pushed.err).not.toContain('gate')
  })

  it('lets the scan a push printed be read by its id alone, with links to its findings and SARIF; not by another workspace', async () => {
    const app = await repositoryWith('by-id', { 'app.js': commandInjectionJs })
    const scanId = /Scan (scan_\w+) queued/.exec((await push(app)).err)![1]!
    const stranger = await newOwner()

    const scan = await api('GET', `/v1/scans/${scanId}`)
    const theirs = await callApi(harness.url, stranger.token, 'GET', `/v1/scans/${scanId}`)
    const findings = await fetch(scan.json.links.findings, { headers: { authorization: `Bearer ${owner.token}` } })

    expect(scan.status).toBe(200)
    expect(scan.json).toMatchObject({ id: scanId, repository_id: app.repositoryId })
    expect(scan.json.links).toEqual({
      self: `${harness.url}/v1/scans/${scanId}`,
      findings: `${harness.url}/v1/repositories/${app.repositoryId}/findings?scan=${scanId}`,
      sarif: `${harness.url}/v1/repositories/${app.repositoryId}/scans/${scanId}/sarif`,
    })
    expect(findings.status).toBe(200)
    expect(theirs.status).toBe(404)
    expect(theirs.json.error).toMatchObject({ code: 'not_found', message: expect.stringContaining(scanId) })
    expect(theirs.text).not.toContain(app.repositoryId)
  })
})

async function until(probe: () => Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('not in time')
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
