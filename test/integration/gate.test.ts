// Policies and the CI gate against the emulators: the real worker runs a scan of a real pack with an
// engine whose findings the test chooses; the scan carries the verdict of the policy that applies.
import { afterAll, describe, expect, it } from 'vitest'
import { handler as repositories } from '../../functions/repositories/handler.js'
import { handler as triageApi } from '../../functions/triage/handler.js'
import { requestLog } from '../../shared/log.js'
import type { Engine, EngineFinding, Severity } from '../../shared/scanning/engine.js'
import { runScan } from '../../shared/worker/run-scan.js'
import { committedPack, removeTempDirs } from '../support/git-fixtures.js'
import { call, memberOf, newOwner } from '../support/identity.js'
import { codeFinding, queuedPackScan, repositoryOf } from '../support/scans.js'

afterAll(removeTempDirs)
const log = requestLog({ test: 'gate' })

const flaw = (path: string, severity: Severity) =>
  codeFinding(path, { severity, rule_id: `rule-${severity}`, text: `call(${path})` })

async function setup() {
  const owner = await newOwner()
  const repository = await repositoryOf(owner)
  const project = { id: repository.project_id }
  const pushed = committedPack({ 'a.js': 'x\n' }, 'one')
  /** Runs one scan through the worker, the engine answering `found`; the scan as the API shows it. */
  const scan = async (found: EngineFinding[]) => {
    const record = await queuedPackScan(repository, pushed, { engines: ['code'] })
    const engine: Engine = {
      name: 'code',
      run: async () => found.map((finding) => ({ ...finding, locations: [...finding.locations] })),
    }
    await runScan({ scan_id: record.id }, log, { registry: [engine] })
    return (
      await call(repositories, 'GET', `/v1/repositories/${repository.id}/scans/${record.id}`, { as: owner.token })
    ).json
  }
  return { owner, project, repository, scan }
}

describe('the CI gate', () => {
  it('fails a scan on new critical or high findings by default, and passes the next one that finds nothing new', async () => {
    const g = await setup()

    const first = await g.scan([flaw('a.js', 'high'), flaw('b.js', 'low')])
    const second = await g.scan([flaw('a.js', 'high'), flaw('b.js', 'low')])
    const third = await g.scan([flaw('a.js', 'high'), flaw('c.js', 'critical')])

    expect(first.gate).toEqual({
      verdict: 'failed',
      policy: 'default',
      baseline_scan_id: null,
      rules_fired: [
        { rule: 'block-new-critical-and-high', effect: 'block', findings: 1 },
        { rule: '(default)', effect: 'warn', findings: 1 },
      ],
    })
    expect(second.gate).toMatchObject({ verdict: 'passed', baseline_scan_id: first.id })
    expect(third.gate).toMatchObject({
      verdict: 'failed',
      baseline_scan_id: second.id,
      rules_fired: expect.arrayContaining([{ rule: 'block-new-critical-and-high', effect: 'block', findings: 1 }]),
    })
  })

  it('applies the workspace policy, then the project policy over it; dismissed findings never block', async () => {
    const g = await setup()
    const workspacePolicy = {
      rules: [
        {
          name: 'tests-are-fine',
          effect: 'ignore',
          conditions: [{ field: 'path', operator: 'glob', value: 'test/**' }],
        },
        {
          name: 'no-medium-or-worse',
          effect: 'block',
          conditions: [{ field: 'severity', operator: 'gte', value: 'medium' }],
        },
      ],
      default: 'warn',
    }
    const put = await call(triageApi, 'PUT', `/v1/workspaces/${g.owner.workspaceId}/policy`, {
      as: g.owner.token,
      body: workspacePolicy,
    })
    const viaProject = await call(triageApi, 'GET', `/v1/projects/${g.project.id}/policy`, { as: g.owner.token })

    const blocked = await g.scan([flaw('test/x.js', 'critical'), flaw('src/y.js', 'medium')])
    const ignoredInTests = await g.scan([flaw('test/x.js', 'critical')])
    await call(triageApi, 'PUT', `/v1/projects/${g.project.id}/policy`, {
      as: g.owner.token,
      body: { rules: [], default: 'block' },
    })
    const projectWins = await g.scan([flaw('src/z.js', 'info')])
    const findings = await call(repositories, 'GET', `/v1/repositories/${g.repository.id}/findings`, {
      as: g.owner.token,
      query: 'status=open&path=src/z.js',
    })
    await call(repositories, 'PATCH', `/v1/repositories/${g.repository.id}/findings/${findings.json.items[0].id}`, {
      as: g.owner.token,
      body: { status: 'dismissed', reason: 'wont_fix' },
    })
    const afterDismissal = await g.scan([flaw('src/z.js', 'info')])

    expect(put.json).toMatchObject({ ...workspacePolicy, source: 'workspace' })
    expect(viaProject.json.source).toBe('workspace')
    expect(blocked.gate).toMatchObject({ verdict: 'failed', policy: 'workspace' })
    expect(ignoredInTests.gate).toMatchObject({
      verdict: 'passed',
      rules_fired: [{ rule: 'tests-are-fine', effect: 'ignore', findings: 1 }],
    })
    expect(projectWins.gate).toMatchObject({ verdict: 'failed', policy: 'project' })
    expect(afterDismissal.gate).toMatchObject({ verdict: 'passed', rules_fired: [] })
  })

  it.each([
    [
      {
        rules: [{ name: 'x', effect: 'block', conditions: [{ field: 'severity', operator: 'glob', value: 'high' }] }],
        default: 'warn',
      },
    ],
    [{ rules: [{ name: 'x', effect: 'explode', conditions: [] }], default: 'warn' }],
    [{ rules: [], default: 'warn', fail_on_severity: 'high' }],
    [
      {
        rules: [{ name: 'x', effect: 'block', conditions: [{ field: 'severity', operator: 'in', value: [] }] }],
        default: 'warn',
      },
    ],
  ])('refuses an invalid policy %j with 422 and keeps the old one', async (body) => {
    const g = await setup()

    const answer = await call(triageApi, 'PUT', `/v1/workspaces/${g.owner.workspaceId}/policy`, {
      as: g.owner.token,
      body,
    })

    expect([answer.status, answer.json.error.code]).toEqual([422, 'validation_failed'])
    const read = await call(triageApi, 'GET', `/v1/workspaces/${g.owner.workspaceId}/policy`, { as: g.owner.token })
    expect(read.json.source).toBe('default')
  })

  it('lets only admins change a policy (403 for a member), and hides it from other workspaces (404)', async () => {
    const g = await setup()
    const member = await memberOf(g.owner, 'member')
    const intruder = await newOwner('intruder')
    const body = { rules: [], default: 'ignore' }

    const asMember = await call(triageApi, 'PUT', `/v1/workspaces/${g.owner.workspaceId}/policy`, {
      as: member.token,
      body,
    })
    const asIntruder = await call(triageApi, 'PUT', `/v1/projects/${g.project.id}/policy`, { as: intruder.token, body })
    const readIntruder = await call(triageApi, 'GET', `/v1/workspaces/${g.owner.workspaceId}/policy`, {
      as: intruder.token,
    })

    expect([asMember.status, asIntruder.status, readIntruder.status]).toEqual([403, 404, 404])
    const read = await call(triageApi, 'GET', `/v1/projects/${g.project.id}/policy`, { as: g.owner.token })
    expect(read.json.source).toBe('default')
  })
})
