// Findings as the worker stores them: identity by fingerprint, the open → fixed → reopened lifecycle,
// the rollup counters moved exactly once however often a scan is replayed, and leaked Vega keys revoked.
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { handler as apiKeys } from '../../functions/api-keys/handler.js'
import { handler as auth } from '../../functions/auth/handler.js'
import { handler as repositories } from '../../functions/repositories/handler.js'
import { tableName, transact, updateIf } from '../../shared/data/db.js'
import { listEvents } from '../../shared/data/events.js'
import {
  createNewFindings,
  findingsOfAliases,
  fixFindings,
  getFinding,
  listFindingsOf,
  listHistory,
  listOccurrences,
  writeSightings,
} from '../../shared/data/findings.js'
import * as keys from '../../shared/data/keys.js'
import { listDays, utcDay } from '../../shared/data/overview.js'
import { getRepository, openFindings } from '../../shared/data/repositories.js'
import { findingIdsOfScan } from '../../shared/data/scan-findings.js'
import { newScanItem, type ScanRecord } from '../../shared/data/scans.js'
import { allSuppressions, putSuppression } from '../../shared/data/suppressions.js'
import { findingIdOf, fingerprintOf, secretFingerprintV1 } from '../../shared/findings/fingerprint.js'
import { recordFindings, viewOf } from '../../shared/findings/record.js'
import { newId } from '../../shared/ids.js'
import type { EngineFinding } from '../../shared/scanning/engine.js'
import { secretFingerprint } from '../../shared/scanning/engines/secrets/index.js'
import { call, newOwner } from '../support/identity.js'
import { codeFinding, repositoryOf, scanOf } from '../support/scans.js'

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex')
const workspaceKey = new TextEncoder().encode('a workspace key for the tests')

function secret(value: string, paths: string[]): EngineFinding {
  return {
    engine: 'secrets',
    rule_id: 'generic-api-key',
    severity: 'high',
    title: 'A secret',
    message: 'A secret is in the code',
    cwe: ['CWE-798'],
    fix: 'Rotate it',
    identity: sha256(value),
    fingerprint: secretFingerprint(workspaceKey, 'generic-api-key', sha256(value)),
    locations: paths.map((path) => ({ path, start_line: 3, end_line: 3, snippet: 'key = "abcd…"', commit: 'c1' })),
    metadata: {},
  }
}

const evalCall = (path: string, line: number, text = 'eval(userInput)') =>
  codeFinding(path, { line, text, severity: 'medium', metadata: { language: 'javascript' } })

async function repositoryWithScans(count: number) {
  const owner = await newOwner()
  const repository = await repositoryOf(owner)
  const scans = Array.from({ length: count }, () =>
    scanOf(repository, { status: 'running', engines: ['secrets', 'code'] }),
  )
  return { owner, repository, scans }
}

const counters = async (id: ScanRecord['repository_id']) => openFindings((await getRepository(id))!)

describe('recorded findings', () => {
  it('makes one finding per secret value with every location, and one per code match', async () => {
    const { repository, scans } = await repositoryWithScans(1)

    const counts = await recordFindings(
      scans[0]!,
      [
        secret('hunter2-hunter2', ['a/.env', 'b/config.js']),
        secret('hunter2-hunter2', ['c/old.txt']),
        evalCall('src/x.js', 10),
      ],
      ['secrets', 'code'],
    )

    expect(counts).toEqual({ total: 2, new: 2, reopened: 0, fixed: 0 })
    const all = (await listFindingsOf(repository.id, { limit: 10 })).items
    const secretFinding = all.find((finding) => finding.engine === 'secrets')!
    expect(secretFinding.locations.map((location) => location.path)).toEqual(['a/.env', 'b/config.js', 'c/old.txt'])
    expect(secretFinding).toMatchObject({ status: 'open', fingerprint_version: 2, path: 'a/.env' })
    expect(await counters(repository.id)).toMatchObject({ high: 1, medium: 1 })
    expect((await findingIdsOfScan(scans[0]!.id)).sort()).toEqual(all.map((finding) => finding.id).sort())
  })

  it('keeps the fingerprint when code moves or is re-indented, and not when the path or rule changes', () => {
    const base = fingerprintOf(evalCall('src/x.js', 10))
    expect(fingerprintOf(evalCall('./src//x.js', 50, 'eval(  userInput\n)'))).toBe(base)
    expect(fingerprintOf(evalCall('src/y.js', 10))).not.toBe(base)
    expect(fingerprintOf({ ...evalCall('src/x.js', 10), rule_id: 'other' })).not.toBe(base)
    expect(fingerprintOf(secret('v', ['a']))).toBe(fingerprintOf(secret('v', ['elsewhere/b'])))
    const repo = newId('repository')
    expect(findingIdOf(repo, base)).toMatch(/^fnd_[0-7][0-9A-HJKMNP-TV-Z]{25}$/)
    expect(findingIdOf(repo, base)).toBe(findingIdOf(repo, base))
  })

  it('moves open → fixed → reopened with the counters, exactly once under replays, and ignores an older scan finishing late', async () => {
    const { repository, scans } = await repositoryWithScans(4)
    const [first, second, third, late] = [scans[0]!, scans[1]!, scans[2]!, scans[3]!]
    // `late` was made last, so it sorts newest: rename it to sort before `second`, as a slow older scan.
    late.id = newId('scan')
    const older = { ...first, id: first.id }
    const both = () => [secret('s3cr3t-value', ['a.env']), evalCall('x.js', 1)]
    const engines = ['secrets', 'code']

    await recordFindings(first, both(), engines)
    await recordFindings(first, both(), engines)
    const afterFirst = await counters(repository.id)
    const fixedOnce = await recordFindings(second, [evalCall('x.js', 4)], engines)
    const fixedAgain = await recordFindings(second, [evalCall('x.js', 4)], engines)
    const afterSecond = await counters(repository.id)
    const lateOlder = await recordFindings(older, both(), engines)
    const reopened = await recordFindings(third, both(), engines)
    const reopenedAgain = await recordFindings(third, both(), engines)

    expect(afterFirst).toMatchObject({ high: 1, medium: 1 })
    expect([fixedOnce.fixed, fixedAgain.fixed]).toEqual([1, 0])
    expect(afterSecond).toMatchObject({ high: 0, medium: 1 })
    expect(lateOlder).toMatchObject({ new: 0, reopened: 0, fixed: 0 })
    expect([reopened.reopened, reopenedAgain.reopened]).toEqual([1, 0])
    expect(await counters(repository.id)).toMatchObject({ high: 1, medium: 1 })
    const secretId = findingIdOf(repository.id, fingerprintOf(secret('s3cr3t-value', [])))
    expect(await getFinding(secretId)).toMatchObject({
      status: 'open',
      first_seen_scan_id: first.id,
      last_seen_scan_id: third.id,
    })
    const events = (await listEvents(repository.id, { limit: 20 })).items.filter(
      (event) => event.type === 'finding.reopened',
    )
    expect(events).toHaveLength(1)
  })

  it('refreshes hundreds of known findings in grouped writes, each only while its own condition holds', async () => {
    const { repository, scans } = await repositoryWithScans(4)
    // Ids sort by time: `older` is a slow scan that finishes after `second`.
    const [first, older, second, third] = [scans[0]!, scans[1]!, scans[2]!, scans[3]!]
    const at = (line: number) => Array.from({ length: 250 }, (_, i) => evalCall(`src/file-${i}.js`, line))
    const engines = ['code']
    await recordFindings(first, at(1), engines)
    const ids = (await findingIdsOfScan(first.id)).sort()

    const seen = await recordFindings(second, at(2), engines)
    const afterSecond = (await listFindingsOf(repository.id, { limit: 500 })).items
    const replayed = await recordFindings(second, at(3), engines)
    const lateOlder = await recordFindings(older, at(4), engines)
    const afterReplays = (await listFindingsOf(repository.id, { limit: 500 })).items
    // A third scan that wrote part of its sightings before its worker died: the rest hold, these do not.
    await recordFindings(third, at(5).slice(0, 60), [])
    const touchedBefore = new Map(
      (await listFindingsOf(repository.id, { limit: 500 })).items.map((finding) => [finding.id, finding.updated_at]),
    )
    const resumed = await recordFindings(third, at(6), engines)
    const afterThird = (await listFindingsOf(repository.id, { limit: 500 })).items

    expect(ids).toHaveLength(250)
    expect(seen).toEqual({ total: 250, new: 0, reopened: 0, fixed: 0 })
    expect(afterSecond.map((finding) => [finding.last_seen_scan_id, finding.start_line, finding.status])).toEqual(
      ids.map(() => [second.id, 2, 'open']),
    )
    expect(replayed).toEqual(seen)
    expect(lateOlder).toEqual(seen)
    expect(afterReplays).toEqual(afterSecond)
    for (const scan of [first, second, older, third]) expect((await findingIdsOfScan(scan.id)).sort()).toEqual(ids)
    expect(resumed).toEqual(seen)
    expect(afterThird.every((finding) => finding.last_seen_scan_id === third.id)).toBe(true)
    const lines = new Map(afterThird.map((finding) => [finding.path, finding.start_line]))
    expect(at(0).map((finding) => lines.get(finding.locations[0]!.path))).toEqual([
      ...Array<number>(60).fill(5),
      ...Array<number>(190).fill(6),
    ])
    for (const finding of afterThird)
      if (finding.start_line === 5) expect(finding.updated_at).toBe(touchedBefore.get(finding.id))
    expect((await counters(repository.id)).medium).toBe(250)
  })

  it('creates hundreds of new findings in grouped writes, each counted once by severity and day; the suppressed created dismissed', async () => {
    const { owner, repository, scans } = await repositoryWithScans(1)
    await putSuppression({
      id: newId('suppression'),
      repository_id: repository.id,
      workspace_id: repository.workspace_id,
      fingerprint: null,
      rule: 'js-code-injection',
      path: 'vendor/**',
      reason: 'vendored',
      owner: owner.userId,
      expires_at: null,
      last_matched_at: null,
      last_matched_scan_id: null,
      created_at: new Date().toISOString(),
    })
    const severities = ['critical', 'high', 'medium', 'low'] as const
    const found = [
      ...Array.from({ length: 130 }, (_, i) =>
        codeFinding(`src/file-${i}.js`, { line: i + 1, text: `eval(input${i})`, severity: severities[i % 4] }),
      ),
      ...Array.from({ length: 10 }, (_, i) => codeFinding(`vendor/lib-${i}.js`, { text: `eval(code${i})` })),
    ]

    const counts = await recordFindings(scans[0]!, found, ['code'])

    expect(counts).toEqual({ total: 140, new: 140, reopened: 0, fixed: 0 })
    expect(await counters(repository.id)).toMatchObject({ critical: 33, high: 33, medium: 32, low: 32 })
    const stored = (await listFindingsOf(repository.id, { limit: 200 })).items
    expect(stored.filter((finding) => finding.status === 'open')).toHaveLength(130)
    expect(
      stored
        .filter((finding) => finding.status === 'dismissed')
        .map((finding) => finding.path)
        .sort(),
    ).toEqual(found.slice(130).map((finding) => finding.locations[0]!.path))
    const today = await listDays(repository.workspace_id, utcDay(), utcDay())
    expect(today.reduce((sum, day) => sum + day.new_findings, 0)).toBe(130)
    expect(await findingIdsOfScan(scans[0]!.id)).toHaveLength(140)
  })

  it('creates a group of new findings one at a time when another worker created one of them first', async () => {
    const { repository, scans } = await repositoryWithScans(1)
    await recordFindings(scans[0]!, [evalCall('src/first.js', 1)], ['code'])
    const [taken] = (await listFindingsOf(repository.id, { limit: 10 })).items
    const home = { workspace_id: repository.workspace_id, project_id: repository.project_id }
    const fresh = Array.from({ length: 60 }, (_, i) => ({
      ...taken!,
      ...home,
      id: findingIdOf(repository.id, `fingerprint-${i}`),
      fingerprint: `fingerprint-${i}`,
      path: `src/new-${i}.js`,
    }))

    const created = await createNewFindings([...fresh.slice(0, 30), { ...taken!, ...home }, ...fresh.slice(30)])

    expect([...created].map((finding) => finding.id).sort()).toEqual(fresh.map((finding) => finding.id).sort())
    expect((await counters(repository.id)).medium).toBe(61)
    expect((await listFindingsOf(repository.id, { limit: 100 })).items).toHaveLength(61)
  })

  it('fixes unseen findings together, each counted once; one a newer scan saw meanwhile stays open', async () => {
    const { repository, scans } = await repositoryWithScans(3)
    const [first, second, third] = [scans[0]!, scans[1]!, scans[2]!]
    const at = () =>
      Array.from({ length: 70 }, (_, i) =>
        codeFinding(`src/file-${i}.js`, { text: `eval(input${i})`, severity: i % 2 ? 'high' : 'critical' }),
      )
    await recordFindings(first, at(), ['code'])
    const stale = (await listFindingsOf(repository.id, { limit: 100 })).items
    // A newer scan sees the first finding after `second` read what was open (no engine ran: it fixes nothing).
    await recordFindings(third, at().slice(0, 1), [])

    const fixed = await fixFindings(stale, second)

    expect(fixed.size).toBe(69)
    expect(await counters(repository.id)).toMatchObject({ critical: 1, high: 0 })
    const stillOpen = (await listFindingsOf(repository.id, { limit: 100 })).items.filter(
      (finding) => finding.status === 'open',
    )
    expect(stillOpen.map((finding) => finding.path)).toEqual(['src/file-0.js'])
    const today = await listDays(repository.workspace_id, utcDay(), utcDay())
    expect(today.reduce((sum, day) => sum + day.fixed_findings, 0)).toBe(69)
  })

  it('touches a finding seen as its last sighting wrote it with the scan and time alone; one stored before the digest whole', async () => {
    const { repository, scans } = await repositoryWithScans(2)
    const [first, second] = [scans[0]!, scans[1]!]
    const both = () => [evalCall('src/a.js', 1), evalCall('src/b.js', 1)]
    await recordFindings(first, both(), ['code'])
    const [a, b] = ['src/a.js', 'src/b.js'].map((path) => findingIdOf(repository.id, fingerprintOf(evalCall(path, 1))))
    // Changed behind the digest's back (nothing in Vega does): only a whole touch writes the title again.
    for (const id of [a!, b!])
      await updateIf({
        Key: keys.findingById(id),
        UpdateExpression: 'SET title = :t',
        ExpressionAttributeValues: { ':t': 'edited' },
      })
    const [before, digestOfB] = [(await getFinding(a!))!, (await getFinding(b!))!.view_digest]
    await updateIf({ Key: keys.findingById(b!), UpdateExpression: 'REMOVE view_digest' })

    const seen = await recordFindings(second, both(), ['code'])

    const [short, whole] = [(await getFinding(a!))!, (await getFinding(b!))!]
    expect(seen).toEqual({ total: 2, new: 0, reopened: 0, fixed: 0 })
    expect(short).toMatchObject({ title: 'edited', last_seen_scan_id: second.id, view_digest: before.view_digest })
    expect(short.updated_at > before.updated_at).toBe(true)
    expect(whole).toMatchObject({
      title: 'eval of input',
      last_seen_scan_id: second.id,
      view_digest: digestOfB,
    })
    expect((await findingIdsOfScan(second.id)).sort()).toEqual([a, b].sort())
  })

  it('touches a finding whole when its view moved after the scan read it, and not at all when a newer scan saw it', async () => {
    const { scans } = await repositoryWithScans(4)
    // Ids sort by time: `between` writes after `stale` was read and before `last`.
    const [first, second, between, last] = [scans[0]!, scans[1]!, scans[2]!, scans[3]!]
    await recordFindings(first, [evalCall('x.js', 1)], ['code'])
    const [id] = await findingIdsOfScan(first.id)
    const stale = (await getFinding(id!))!
    const view = viewOf(evalCall('x.js', 1))
    await updateIf({
      Key: keys.findingById(id!),
      UpdateExpression: 'SET title = :t',
      ExpressionAttributeValues: { ':t': 'edited' },
    })

    // The same view: the short touch, which leaves the edited title.
    await writeSightings([], [{ finding: stale, view }], second)
    const short = (await getFinding(id!))!
    await recordFindings(between, [evalCall('x.js', 2)], ['code'])
    // Read before `between` wrote line 2: the short touch fails on the digest and goes again whole.
    await writeSightings([], [{ finding: stale, view }], last)
    const after = (await getFinding(id!))!
    // An older scan, read before all that: no touch at all.
    await writeSightings([], [{ finding: stale, view }], second)

    expect(short).toMatchObject({ title: 'edited', start_line: 1, last_seen_scan_id: second.id })
    expect(after).toMatchObject({ title: 'eval of input', start_line: 1, last_seen_scan_id: last.id })
    expect(after.view_digest).toBe(stale.view_digest)
    expect(await getFinding(id!)).toEqual(after)
  })

  it('writes a finding that two fingerprints of one scan name (through an alias) once, as the first saw it', async () => {
    const { repository, scans } = await repositoryWithScans(3)
    const engines = ['code']
    await recordFindings(scans[0]!, [evalCall('src/old.js', 1)], engines, { headPaths: new Set(['src/old.js']) })
    await recordFindings(scans[1]!, [evalCall('src/new.js', 2)], engines, { headPaths: new Set(['src/new.js']) })

    const both = await recordFindings(scans[2]!, [evalCall('src/new.js', 3), evalCall('src/old.js', 4)], engines, {
      headPaths: new Set(['src/old.js', 'src/new.js']),
    })

    const stored = (await listFindingsOf(repository.id, { limit: 10 })).items
    expect(both).toMatchObject({ total: 2, new: 0 })
    expect(stored).toHaveLength(1)
    expect(stored[0]).toMatchObject({ path: 'src/new.js', start_line: 3, last_seen_scan_id: scans[2]!.id })
    const occurrences = (await listOccurrences(stored[0]!.id, { limit: 10 })).items
    expect(occurrences.map((occurrence) => [occurrence.scan_id, occurrence.locations[0]!.start_line])).toEqual([
      [scans[2]!.id, 3],
      [scans[1]!.id, 2],
      [scans[0]!.id, 1],
    ])
  })

  it('keys a secret fingerprint per workspace (v2) and carries a finding stored under v1 over to it', async () => {
    const { repository, scans } = await repositoryWithScans(2)
    const current = secret('an-old-secret-value', ['a.env'])
    const storedByV1 = { ...current, fingerprint: secretFingerprintV1(current) }
    const otherKey = secretFingerprint(new TextEncoder().encode('another workspace'), current.rule_id, current.identity)

    await recordFindings(scans[0]!, [storedByV1], ['secrets'])
    const carried = await recordFindings(scans[1]!, [current], ['secrets'])

    expect(current.fingerprint).not.toBe(secretFingerprintV1(current))
    expect(otherKey).not.toBe(current.fingerprint)
    expect(carried).toMatchObject({ total: 1, new: 0, fixed: 0 })
    const legacyId = findingIdOf(repository.id, secretFingerprintV1(current))
    expect((await findingsOfAliases(repository.id, [current.fingerprint!])).get(current.fingerprint!)).toBe(legacyId)
    expect(await getFinding(legacyId)).toMatchObject({ status: 'open', last_seen_scan_id: scans[1]!.id })
    expect((await listFindingsOf(repository.id, { limit: 10 })).items).toHaveLength(1)
  })

  it('fixes only findings of the engines that ran', async () => {
    const { repository, scans } = await repositoryWithScans(2)
    await recordFindings(scans[0]!, [secret('k-1', ['a']), evalCall('x.js', 1)], ['secrets', 'code'])

    const codeOnly = await recordFindings(scans[1]!, [], ['code'])

    expect(codeOnly.fixed).toBe(1)
    expect(await counters(repository.id)).toMatchObject({ high: 1, medium: 0 })
  })

  it('revokes a leaked Vega API key at once, says so on the finding, and tells the timeline', async () => {
    const { owner, repository, scans } = await repositoryWithScans(1)
    const created = await call(apiKeys, 'POST', '/v1/api-keys', {
      as: owner.token,
      body: { name: 'ci', scopes: ['read'] },
    })
    const leaked: string = created.json.key
    expect((await call(auth, 'GET', '/v1/auth/me', { as: leaked })).status).toBe(200)

    await recordFindings(
      scans[0]!,
      [{ ...secret(leaked, ['deploy.sh']), rule_id: 'vega-api-key', severity: 'critical', identity: sha256(leaked) }],
      ['secrets'],
    )

    expect((await call(auth, 'GET', '/v1/auth/me', { as: leaked })).status).toBe(401)
    const ownKeys = await call(apiKeys, 'GET', '/v1/api-keys', { as: owner.token })
    expect(ownKeys.json.items.find((key: { id: string }) => key.id === created.json.id)).toMatchObject({
      revoked_reason: 'leaked',
      revoked_at: expect.any(String),
    })
    const [finding] = (await listFindingsOf(repository.id, { limit: 10 })).items
    expect(finding!.metadata).toMatchObject({ vega_key: 'revoked', vega_key_id: created.json.id })
    expect(finding!.message).toContain('revoked')
    expect(JSON.stringify(finding)).not.toContain(leaked)
    const events = (await listEvents(repository.id, { limit: 10 })).items.map((event) => event.type)
    expect(events).toContain('api_key.revoked')
  })

  it('answers only=new with what is present and absent from the baseline, never what was fixed since', async () => {
    const { owner, repository, scans } = await repositoryWithScans(3)
    const [base, middle, head] = [scans[0]!, scans[1]!, scans[2]!]
    for (const scan of scans)
      await transact([{ Put: { TableName: tableName(), Item: newScanItem(scan) } }], () => new Error('exists'))
    await recordFindings(base, [evalCall('src/app.js', 3)], ['code'])
    await recordFindings(middle, [evalCall('src/app.js', 3), evalCall('src/gone.js', 1)], ['code'])
    await recordFindings(head, [evalCall('src/app.js', 3), evalCall('lib/new.js', 1)], ['code'])

    const answer = await call(repositories, 'GET', `/v1/repositories/${repository.id}/findings`, {
      as: owner.token,
      query: `only=new&baseline=${base.id}`,
    })

    expect(answer.status).toBe(200)
    expect(answer.json.items.map((f: { path: string }) => f.path)).toEqual(['lib/new.js'])
  })

  it('reads findings over HTTP: filters, one finding, compare of two scans; hidden from another workspace', async () => {
    const { owner, repository, scans } = await repositoryWithScans(2)
    const [base, head] = [scans[0]!, scans[1]!]
    for (const scan of scans)
      await transact([{ Put: { TableName: tableName(), Item: newScanItem(scan) } }], () => new Error('exists'))
    await recordFindings(base, [secret('gone-soon-value', ['a.env']), evalCall('src/app.js', 3)], ['secrets', 'code'])
    await recordFindings(head, [evalCall('src/app.js', 9), evalCall('lib/new.js', 1)], ['secrets', 'code'])
    const get = (target: string, as = owner.token) => {
      const [path, query] = target.split('?')
      return call(repositories, 'GET', `/v1/repositories/${repository.id}${path}`, { as, query })
    }

    const open = await get('/findings?status=open')
    const code = await get('/findings?engine=code&path=lib/')
    const newer = await get(`/findings?only=new&baseline=${base.id}&scan=${head.id}`)
    const fixed = await get('/findings?status=fixed&severity=high')
    const compared = await get(`/compare?base=${base.id}&head=${head.id}`)
    expect(open.status, open.text).toBe(200)
    const one = await get(`/findings/${open.json.items[0].id}`)
    const intruder = await newOwner('intruder')

    expect(open.json.items.map((f: { path: string }) => f.path).sort()).toEqual(['lib/new.js', 'src/app.js'])
    expect(code.json.items.map((f: { path: string }) => f.path)).toEqual(['lib/new.js'])
    expect(newer.json.items.map((f: { path: string }) => f.path)).toEqual(['lib/new.js'])
    expect(fixed.json.items).toHaveLength(1)
    expect(fixed.json.items[0]).toMatchObject({ engine: 'secrets', status: 'fixed', advisory: null })
    expect(JSON.stringify(fixed.json)).not.toContain('gone-soon-value')
    expect({
      new: compared.json.new.map((f: { path: string }) => f.path),
      fixed: compared.json.fixed.map((f: { engine: string }) => f.engine),
      unchanged: compared.json.unchanged.map((f: { start_line: number }) => f.start_line),
    }).toEqual({ new: ['lib/new.js'], fixed: ['secrets'], unchanged: [9] })
    expect(one.status).toBe(200)
    expect(one.json.id).toBe(open.json.items[0].id)
    expect((await get('/findings', intruder.token)).status).toBe(404)
    expect((await get(`/findings/${open.json.items[0].id}`, intruder.token)).status).toBe(404)
    expect((await get(`/compare?base=${base.id}&head=${head.id}`, intruder.token)).status).toBe(404)
  })

  it('keeps a finding when its file is renamed (and the code moves), through an alias, and not when the old file stays', async () => {
    const { repository, scans } = await repositoryWithScans(4)
    const engines = ['secrets', 'code']
    await recordFindings(scans[0]!, [evalCall('src/old-name.js', 10)], engines, {
      headPaths: new Set(['src/old-name.js']),
    })
    const [before] = (await listFindingsOf(repository.id, { limit: 10 })).items

    const renamed = await recordFindings(scans[1]!, [evalCall('lib/new-name.js', 50)], engines, {
      headPaths: new Set(['lib/new-name.js']),
    })
    const again = await recordFindings(scans[2]!, [evalCall('lib/new-name.js', 52)], engines, {
      headPaths: new Set(['lib/new-name.js']),
    })
    const copied = await recordFindings(
      scans[3]!,
      [evalCall('lib/new-name.js', 52), evalCall('lib/copy.js', 1)],
      engines,
      {
        headPaths: new Set(['lib/new-name.js', 'lib/copy.js']),
      },
    )

    const after = (await listFindingsOf(repository.id, { limit: 10 })).items
    expect(renamed).toMatchObject({ new: 0, fixed: 0 })
    expect(again).toMatchObject({ new: 0, fixed: 0 })
    expect(copied).toMatchObject({ new: 1, fixed: 0 })
    const moved = after.find((finding) => finding.id === before!.id)!
    expect(moved).toMatchObject({
      path: 'lib/new-name.js',
      start_line: 52,
      status: 'open',
      fingerprint: before!.fingerprint,
    })
    expect(after.map((finding) => finding.path).sort()).toEqual(['lib/copy.js', 'lib/new-name.js'])
  })

  it('leaves nothing of its findings behind when the repository is deleted with cascade', async () => {
    const { owner, repository, scans } = await repositoryWithScans(2)
    const engines = ['secrets', 'code']
    await recordFindings(scans[0]!, [evalCall('a.js', 1), secret('gone-value', ['x.env'])], engines, {
      headPaths: new Set(['a.js']),
    })
    await recordFindings(scans[1]!, [evalCall('b.js', 1)], engines, { headPaths: new Set(['b.js']) })
    const [finding] = (await listFindingsOf(repository.id, { limit: 10 })).items.filter((f) => f.engine === 'code')
    await call(repositories, 'POST', `/v1/repositories/${repository.id}/suppressions`, {
      as: owner.token,
      body: { rule: 'js-code-injection', reason: 'r' },
    })
    await call(repositories, 'PATCH', `/v1/repositories/${repository.id}/findings/${finding!.id}`, {
      as: owner.token,
      body: { status: 'dismissed', reason: 'wont_fix' },
    })

    const deleted = await call(repositories, 'DELETE', `/v1/repositories/${repository.id}`, {
      as: owner.token,
      query: 'cascade=true',
    })

    expect(deleted.status).toBe(204)
    expect((await listFindingsOf(repository.id, { limit: 10 })).items).toEqual([])
    expect(await getFinding(finding!.id)).toBeUndefined()
    expect((await listOccurrences(finding!.id, { limit: 10 })).items).toEqual([])
    expect((await listHistory(finding!.id, { limit: 10 })).items).toEqual([])
    expect((await findingsOfAliases(repository.id, [fingerprintOf(evalCall('b.js', 1))])).size).toBe(0)
    expect(await allSuppressions(repository.id)).toEqual([])
  })

  it('keeps every finding and exact counters when two workers record scans of one repository at once', async () => {
    const { repository, scans } = await repositoryWithScans(2)
    // More than one transaction of new findings each: whichever loses one creates its findings one at a time.
    const many = () => Array.from({ length: 120 }, (_, i) => evalCall(`src/file-${i}.js`, i + 1))

    const counts = await Promise.all([
      recordFindings(scans[0]!, many(), ['code']),
      recordFindings(scans[1]!, many(), ['code']),
    ])

    const stored = (await listFindingsOf(repository.id, { limit: 200 })).items
    expect(stored).toHaveLength(120)
    expect(new Set(stored.map((finding) => finding.status))).toEqual(new Set(['open']))
    expect(counts[0].new + counts[1].new).toBe(120)
    expect((await counters(repository.id)).medium).toBe(120)
    expect(await findingIdsOfScan(scans[1]!.id)).toHaveLength(120)
  })
})
