import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { shippedAdvisories } from '../../infra/local/stack.js'
import { logger } from '../../shared/log.js'
import { importAdvisoriesFrom } from '../../shared/ops/advisory-import.js'
import { kinds } from '../fixtures/secrets/generate.js'
import { gitClient, randomAlphanumeric } from '../support/git-client.js'
import { newOwner, type Person } from '../support/identity.js'
import { leakedPieces, unmistakable } from '../support/leaks.js'
import { captureLogs } from '../support/logs.js'
import { callApi, startPushHarness, until } from '../support/push-harness.js'
import { commandInjectionJs, vulnerableLockfile } from '../support/sample-app.js'
import { validateSarif } from '../support/sarif-schema.js'

let harness: Awaited<ReturnType<typeof startPushHarness>>
let owner: Person
const work = mkdtempSync(join(tmpdir(), 'vega-findings-'))

const git = gitClient(work)

const api = (method: string, path: string, body?: unknown, as = owner.token) =>
  callApi(harness.url, as, method, path, body)

/** The scan once it finished, however it finished. */
const finished = (repositoryId: string, scanId: string) =>
  until(async () => {
    const scan = (await api('GET', `/v1/repositories/${repositoryId}/scans/${scanId}`)).json
    return ['succeeded', 'failed', 'cancelled'].includes(scan.status) ? scan : undefined
  }, 60_000)

beforeAll(async () => {
  harness = await startPushHarness()
  await importAdvisoriesFrom(shippedAdvisories)
  owner = await newOwner()
})

afterEach(() => {
  logger.setLogLevel('SILENT')
  vi.restoreAllMocks()
})

afterAll(async () => {
  await harness?.stop()
  rmSync(work, { recursive: true, force: true })
})

describe('a pushed repository', () => {
  it('yields a history-only secret named by its commit, code flaws in three languages, a vulnerable dependency, and revokes a leaked Vega key', async () => {
    const project = (await api('POST', '/v1/projects', { name: 'findings' })).json
    const repositoryId = (await api('POST', '/v1/repositories', { project_id: project.id, name: 'app' })).json.id
    const vegaKey = (await api('POST', '/v1/api-keys', { name: 'ci', scopes: ['read'] })).json.key as string
    const awsSecret = randomAlphanumeric(40)
    const dir = join(work, 'app')
    await git(work, 'init', '-q', dir)
    mkdirSync(join(dir, 'config'))
    writeFileSync(join(dir, 'config/prod.env'), `AWS_SECRET_ACCESS_KEY=${awsSecret}\n`)
    await git(dir, 'add', '.')
    await git(dir, 'commit', '-q', '-m', 'configure production')
    const secretCommit = (await git(dir, 'rev-parse', 'HEAD')).out.trim()
    unlinkSync(join(dir, 'config/prod.env'))
    writeFileSync(join(dir, 'app.js'), commandInjectionJs)
    writeFileSync(
      join(dir, 'views.py'),
      'from flask import request\n\n\ndef calc():\n    return eval(request.form["expression"])\n',
    )
    writeFileSync(
      join(dir, 'main.go'),
      'package main\n\nimport (\n\t"net/http"\n\t"os/exec"\n)\n\nfunc Ping(w http.ResponseWriter, r *http.Request) {\n\thost := r.URL.Query().Get("host")\n\texec.Command("sh", "-c", "ping -c 1 "+host).Run()\n}\n',
    )
    writeFileSync(join(dir, 'package-lock.json'), vulnerableLockfile)
    writeFileSync(
      join(dir, 'deploy.sh'),
      `curl -H "Authorization: Bearer ${vegaKey}" https://vega.example.com/v1/auth/me\n`,
    )
    await git(dir, 'add', '-A')
    await git(dir, 'commit', '-q', '-m', 'the app, without the env file')
    const upload = (await api('POST', '/v1/git-uploads', { repository_id: repositoryId })).json

    const push = await git(dir, 'push', upload.remote_url, 'HEAD:refs/heads/main')

    expect(push.code, push.err).toBe(0)
    const scanId = /Scan (scan_\w+) queued/.exec(push.err)![1]
    const scan = await finished(repositoryId, scanId!)
    expect(scan).toMatchObject({
      status: 'succeeded',
      // The advisory data the lockfile was matched against: the shipped records, imported at start.
      stats: { commits: 2, advisories: { npm: { records: expect.any(Number), synced_at: expect.any(String) } } },
    })
    const listed = await api('GET', `/v1/repositories/${repositoryId}/findings?limit=100`)
    const findings = listed.json.items as {
      engine: string
      rule_id: string
      path: string
      locations: { path: string; commit?: string }[]
      advisory: { id: string } | null
    }[]

    const historySecret = findings.find((f) => f.engine === 'secrets' && f.path === 'config/prod.env')
    expect(historySecret?.locations[0]).toMatchObject({ path: 'config/prod.env', commit: secretCommit })
    const codePaths = new Set(findings.filter((f) => f.engine === 'code').map((f) => f.path))
    expect([...codePaths].sort()).toEqual(['app.js', 'main.go', 'views.py'])
    const dependency = findings.find((f) => f.engine === 'dependencies')
    expect(dependency).toMatchObject({
      path: 'package-lock.json',
      advisory: { id: expect.stringMatching(/^GHSA-/) },
      dependency: {
        ecosystem: 'npm',
        fixed_version: expect.any(String),
        reachable: expect.stringMatching(/^(imported|not_imported)$/),
        advisory_data: { records: expect.any(Number), synced_at: expect.any(String) },
      },
    })
    const leakedKey = findings.find((f) => f.rule_id === 'vega-api-key') as unknown as { path: string; message: string }
    expect(leakedKey?.path).toBe('deploy.sh')
    expect(leakedKey.message).toMatch(/Vega revoked this key \(key_\w+\) when the scan found it\.$/)
    expect(leakedKey.message.match(/revoke/g)).toHaveLength(1)
    expect((await api('GET', '/v1/auth/me', undefined, vegaKey)).status).toBe(401)
    const events = (await api('GET', `/v1/repositories/${repositoryId}/events`)).json.items.map(
      (e: { type: string }) => e.type,
    )
    expect(events).toContain('api_key.revoked')
    for (const secret of [awsSecret, vegaKey]) {
      expect(listed.text).not.toContain(secret)
      expect(push.err).not.toContain(secret)
    }
    const rollup = (await api('GET', `/v1/repositories/${repositoryId}`)).json
    expect(JSON.stringify(rollup)).not.toContain(awsSecret)
  }, 90_000)

  it('tells a second version apart: a moved function, a renamed file, a removed secret and a new flaw are 1 new, 1 fixed, the rest unchanged, no id changed', async () => {
    const project = (await api('POST', '/v1/projects', { name: 'versions' })).json
    const repositoryId = (await api('POST', '/v1/repositories', { project_id: project.id, name: 'app' })).json.id
    const dir = join(work, 'versions')
    await git(work, 'init', '-q', dir)
    mkdirSync(join(dir, 'src'))
    mkdirSync(join(dir, 'lib'))
    mkdirSync(join(dir, 'config'))
    const handler = "app.get('/ls', (req, res) => exec('ls ' + req.query.dir))\n"
    const server = (padding: number) =>
      `const { exec } = require('child_process')\n${'const unused = 1\n'.repeat(padding)}${handler}`
    writeFileSync(join(dir, 'src/server.js'), server(0))
    writeFileSync(
      join(dir, 'lib/query.py'),
      'from flask import request\n\n\ndef calc():\n    return eval(request.form["expression"])\n',
    )
    writeFileSync(join(dir, 'config/app.env'), `AWS_SECRET_ACCESS_KEY=${randomAlphanumeric(40)}\n`)
    await git(dir, 'add', '-A')
    await git(dir, 'commit', '-q', '-m', 'v1')
    const push = async () => {
      const upload = (await api('POST', '/v1/git-uploads', { repository_id: repositoryId })).json
      // The snapshot recipe of docs/git-uploads.md: the tip's tree as one commit, no history.
      const snapshot = (await git(dir, 'commit-tree', 'HEAD^{tree}', '-m', 'snapshot')).out.trim()
      const pushed = await git(dir, 'push', upload.remote_url, `${snapshot}:refs/heads/main`)
      expect(pushed.code, pushed.err).toBe(0)
      const scanId = /Scan (scan_\w+) queued/.exec(pushed.err)![1]!
      const scan = await finished(repositoryId, scanId)
      expect(scan.status, JSON.stringify(scan.error)).toBe('succeeded')
      return scan
    }
    const first = await push()
    const before = (await api('GET', `/v1/repositories/${repositoryId}/findings?limit=100`)).json.items

    writeFileSync(join(dir, 'src/server.js'), server(40))
    await git(dir, 'mv', 'lib/query.py', 'lib/evaluate.py')
    unlinkSync(join(dir, 'config/app.env'))
    writeFileSync(join(dir, 'src/run.js'), 'module.exports = (req) => eval(req.body.code)\n')
    await git(dir, 'add', '-A')
    await git(dir, 'commit', '-q', '-m', 'v2')
    const second = await push()
    const compared = (await api('GET', `/v1/repositories/${repositoryId}/compare?base=${first.id}&head=${second.id}`))
      .json
    const sarif = await api('GET', `/v1/repositories/${repositoryId}/scans/${second.id}/sarif`)

    const summary = (items: { engine: string; path: string }[]) => items.map((f) => `${f.engine}:${f.path}`).sort()
    expect(summary(compared.new)).toEqual(['code:src/run.js'])
    expect(summary(compared.fixed)).toEqual(['secrets:config/app.env'])
    expect(summary(compared.unchanged)).toEqual(['code:lib/evaluate.py', 'code:src/server.js'])
    const ids = (items: { id: string }[]) => items.map((f) => f.id).sort()
    expect(ids([...compared.unchanged, ...compared.fixed])).toEqual(ids(before))
    const moved = compared.unchanged.find((f: { path: string }) => f.path === 'src/server.js')
    expect(moved.start_line).toBe(42)
    expect(second.gate).toMatchObject({ verdict: 'failed', baseline_scan_id: first.id })
    expect(validateSarif(JSON.parse(sarif.text)), JSON.stringify(validateSarif.errors)).toBe(true)
  }, 120_000)
  it('shows nothing of a secret beyond its public prefix in any answer, log line, SARIF or push output', async () => {
    const project = (await api('POST', '/v1/projects', { name: 'hygiene' })).json
    const repositoryId = (await api('POST', '/v1/repositories', { project_id: project.id, name: 'app' })).json.id
    const pem = kinds.private_key_rsa!.make()
    // [secret, the rule that reports it, the width of a window that counts as a leak]
    const secrets: [string, string, number][] = [
      [unmistakable(40), 'aws-secret-access-key', 4],
      [unmistakable(10), 'generic-password', 4],
      [`app:${unmistakable(14)}`, 'database-url-credentials', 4],
      [`sk_live_${unmistakable(24)}`, 'stripe-secret-key', 4],
      [`sk_live_${unmistakable(26)}`, 'stripe-secret-key', 4],
      // A PEM body is random base64: short windows of it occur in any long text by chance.
      [pem, 'private-key', 8],
    ]
    const [aws, password, url, stripe, testStripe] = secrets.map(([secret]) => secret)
    const dir = join(work, 'hygiene')
    await git(work, 'init', '-q', dir)
    for (const folder of ['config', 'test', 'keys']) mkdirSync(join(dir, folder))
    writeFileSync(join(dir, 'config/prod.env'), `AWS_SECRET_ACCESS_KEY=${aws}\n`)
    writeFileSync(join(dir, 'settings.py'), `DB_PASSWORD = "${password}"\n`)
    writeFileSync(join(dir, 'config/database.yml'), `url: postgres://${url}@db.internal:5432/app\n`)
    writeFileSync(join(dir, '.env'), `STRIPE_SECRET_KEY=${stripe}\n`)
    writeFileSync(join(dir, 'test/pay.test.js'), `const stripeKey = '${testStripe}'\n`)
    writeFileSync(join(dir, 'keys/deploy.pem'), `${pem}\n`)
    await git(dir, 'add', '-A')
    await git(dir, 'commit', '-q', '-m', 'secrets everywhere')
    const { lines } = captureLogs('DEBUG')
    const upload = (await api('POST', '/v1/git-uploads', { repository_id: repositoryId })).json

    const push = await git(dir, 'push', upload.remote_url, 'HEAD:refs/heads/main')

    expect(push.code, push.err).toBe(0)
    const scanId = /Scan (scan_\w+) queued/.exec(push.err)![1]!
    const scan = await finished(repositoryId, scanId)
    expect(scan.status, JSON.stringify(scan.error)).toBe('succeeded')
    const base = `/v1/repositories/${repositoryId}`
    const listed = await api('GET', `${base}/findings?limit=100`)
    const items = listed.json.items as { id: string; rule_id: string; path: string; context: string | null }[]
    const answers = [
      listed,
      await api('GET', `${base}/findings?context=test`),
      ...(await Promise.all(items.map((f) => api('GET', `${base}/findings/${f.id}`)))),
      await api('GET', `${base}/scans/${scanId}`),
      await api('GET', `${base}/scans/${scanId}/sarif`),
      await api('GET', `${base}/events`),
      await api('GET', base),
    ]
    const sarif = answers.at(-3)!
    expect(validateSarif(JSON.parse(sarif.text)), JSON.stringify(validateSarif.errors)).toBe(true)

    expect(items.map((f) => `${f.rule_id}:${f.path}:${f.context}`).sort()).toEqual([
      'aws-secret-access-key:config/prod.env:null',
      'database-url-credentials:config/database.yml:null',
      'generic-password:settings.py:null',
      'private-key:keys/deploy.pem:null',
      'stripe-secret-key:.env:null',
      'stripe-secret-key:test/pay.test.js:test',
    ])
    const outputs = {
      answers: answers.map((answer) => answer.text).join('\n'),
      logs: lines.join(''),
      push: `${push.out}\n${push.err}`,
    }
    expect(outputs.logs.length).toBeGreaterThan(1000)
    // The check itself finds a leak where there is one.
    expect(leakedPieces(`${outputs.answers}${aws!.slice(9, 13)}`, aws!, 'aws-secret-access-key')).toHaveLength(1)
    for (const [secret, rule, width] of secrets)
      for (const [where, text] of Object.entries(outputs))
        expect(leakedPieces(text, secret, rule, width), `${rule} in ${where}`).toEqual([])
    expect(outputs.answers).toContain('sk_live_[stripe-secret-key, 24 chars, #')
    expect(outputs.answers).toContain('postgres://app:[database-url-credentials, 14 chars, #')
    const snippets = (listed.json.items as { snippet: string }[]).map((f) => f.snippet)
    expect(snippets).toContainEqual(
      expect.stringMatching(/^DB_PASSWORD = "\[generic-password, 10 chars, #[0-9a-f]{6}\]"$/),
    )
    expect(outputs.answers).toContain('-----BEGIN RSA PRIVATE KEY-----[private-key, ')
  }, 120_000)
})
