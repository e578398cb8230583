// The SBOM of a pushed snapshot: CycloneDX 1.6, valid against CycloneDX's own schema, for a repository holding
// npm, PyPI, Go and Maven lockfiles, with the scan's dependency findings linked to their components.
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shippedAdvisories } from '../../infra/local/stack.js'
import { importAdvisoriesFrom } from '../../shared/ops/advisory-import.js'
import { validateCycloneDx16 } from '../support/cyclonedx-schema.js'
import { lockfilesDir } from '../support/dependency-fixtures.js'
import { gitClient } from '../support/git-client.js'
import { newOwner, type Person } from '../support/identity.js'
import { callApi, startPushHarness, until } from '../support/push-harness.js'

let harness: Awaited<ReturnType<typeof startPushHarness>>
let owner: Person
const work = mkdtempSync(join(tmpdir(), 'vega-sbom-'))
const git = gitClient(work)
const api = (method: string, path: string, body?: unknown, as = owner.token) =>
  callApi(harness.url, as, method, path, body)

beforeAll(async () => {
  harness = await startPushHarness()
  await importAdvisoriesFrom(shippedAdvisories)
  owner = await newOwner()
})

afterAll(async () => {
  await harness?.stop()
  rmSync(work, { recursive: true, force: true })
})

describe('GET /v1/repositories/{id}/scans/{scanId}/sbom', () => {
  it('lists every package of the snapshot as CycloneDX 1.6, valid against its schema, with the vulnerabilities found', async () => {
    const project = (await api('POST', '/v1/projects', { name: 'sbom' })).json
    const repositoryId = (await api('POST', '/v1/repositories', { project_id: project.id, name: 'sbom' })).json.id
    const dir = join(work, 'app')
    await git(work, 'init', '-q', dir)
    for (const [from, to] of [
      ['npm/lock-v3/package-lock.json', 'web/package-lock.json'],
      ['pypi/requirements/requirements.txt', 'api/requirements.txt'],
      ['go/module/go.mod', 'svc/go.mod'],
      ['maven/vulnerable/pom.xml', 'jvm/pom.xml'],
    ] as const) {
      mkdirSync(join(dir, to, '..'), { recursive: true })
      cpSync(join(lockfilesDir, from), join(dir, to))
    }
    await git(dir, 'add', '-A')
    await git(dir, 'commit', '-q', '-m', 'four ecosystems')
    const upload = (await api('POST', '/v1/git-uploads', { repository_id: repositoryId })).json
    const pushed = await git(dir, 'push', upload.remote_url, 'HEAD:refs/heads/main')
    const scanId = /Scan (scan_\w+) queued/.exec(pushed.err)![1]!
    await until(async () => {
      const scan = (await api('GET', `/v1/scans/${scanId}`)).json
      return scan.status === 'succeeded' ? scan : undefined
    }, 60_000)

    const answer = await fetch(`${harness.url}/v1/repositories/${repositoryId}/scans/${scanId}/sbom`, {
      headers: { authorization: `Bearer ${owner.token}` },
    })
    const bom = (await answer.json()) as any
    const stranger = await newOwner()
    const theirs = await api('GET', `/v1/repositories/${repositoryId}/scans/${scanId}/sbom`, undefined, stranger.token)

    expect(answer.status).toBe(200)
    expect(answer.headers.get('content-type')).toMatch(/^application\/vnd\.cyclonedx\+json/)
    expect(validateCycloneDx16(bom), JSON.stringify(validateCycloneDx16.errors?.slice(0, 3))).toBe(true)
    expect(bom).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1 })
    const purls = bom.components.map((component: { purl: string }) => component.purl)
    expect(purls).toEqual(
      expect.arrayContaining([
        'pkg:npm/lodash@4.17.15',
        'pkg:pypi/django@3.2.3',
        'pkg:golang/golang.org/x/sys@v0.0.0-20210630005230-0f9fa26af87c',
        'pkg:maven/junit/junit@4.12',
      ]),
    )
    const lodash = bom.components.find((component: { purl: string }) => component.purl === 'pkg:npm/lodash@4.17.15')
    expect(lodash.properties).toEqual(
      expect.arrayContaining([
        { name: 'vega:ecosystem', value: 'npm' },
        { name: 'vega:lockfile', value: 'web/package-lock.json' },
      ]),
    )
    const vulnerabilities = new Map(
      bom.vulnerabilities.map((vulnerability: { id: string; affects: { ref: string }[] }) => [
        vulnerability.id,
        vulnerability.affects[0]!.ref,
      ]),
    )
    expect(vulnerabilities.get('GHSA-p6mc-m468-83gw')).toBe('pkg:npm/lodash@4.17.15')
    expect(vulnerabilities.get('PYSEC-2021-98')).toBe('pkg:pypi/django@3.2.3')
    expect(vulnerabilities.get('GO-2022-0493')).toBe('pkg:golang/golang.org/x/sys@v0.0.0-20210630005230-0f9fa26af87c')
    expect(vulnerabilities.get('GHSA-269g-pwp5-87pp')).toBe('pkg:maven/junit/junit@4.12')
    expect(theirs.status).toBe(404)
  }, 90_000)
})
