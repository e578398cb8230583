import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { handler as apiKeys } from '../../functions/api-keys/handler.js'
import { handler as auth } from '../../functions/auth/handler.js'
import { handler as repositories } from '../../functions/repositories/handler.js'
import { handler as workspaces } from '../../functions/workspaces/handler.js'
import { sha256Hex } from '../../shared/crypto/api-key-format.js'
import { listFindingsOf } from '../../shared/data/findings.js'
import { getUser } from '../../shared/data/users.js'
import { logger, requestLog } from '../../shared/log.js'
import { secretsEngine } from '../../shared/scanning/engines/secrets/index.js'
import { runScan } from '../../shared/worker/run-scan.js'
import { committedPack, removeTempDirs } from '../support/git-fixtures.js'
import { call, newOwner, type Person } from '../support/identity.js'
import { leakedPieces, unmistakable } from '../support/leaks.js'
import { captureLogs } from '../support/logs.js'
import { queuedPackScan, repositoryOf } from '../support/scans.js'

afterAll(removeTempDirs)

afterEach(() => {
  logger.setLogLevel('SILENT')
  vi.restoreAllMocks()
})

describe('secrets', () => {
  it('never appear in a log line, nor in any answer but the one that hands them out', async () => {
    const person = await newOwner()
    const { lines } = captureLogs('DEBUG')

    const signedIn = await call(auth, 'POST', '/v1/auth/login', {
      body: { email: person.email, password: person.password },
    })
    const { access_token, refresh_token } = signedIn.json
    const created = await call(apiKeys, 'POST', '/v1/api-keys', {
      as: access_token,
      body: { name: 'k', scopes: ['read'] },
    })
    const key = created.json.key as string
    const answers = [
      await call(auth, 'GET', '/v1/auth/me', { as: key }),
      await call(auth, 'GET', '/v1/auth/me', { as: `${access_token}x` }),
      await call(auth, 'POST', '/v1/auth/login', { body: { email: person.email, password: `${person.password}!` } }),
      await call(auth, 'POST', '/v1/auth/refresh', { body: { refresh_token } }),
      await call(auth, 'POST', '/v1/auth/refresh', { body: { refresh_token } }),
      await call(apiKeys, 'GET', '/v1/api-keys', { as: access_token }),
      await call(workspaces, 'GET', `/v1/workspaces/${person.workspaceId}/members`, { as: key }),
      await call(apiKeys, 'POST', '/v1/api-keys/revoke', { as: key, body: { key } }),
      await call(auth, 'GET', '/v1/auth/me', { as: key }),
    ]
    const passwordHash = (await getUser(person.userId))?.password_hash as string

    const secrets = {
      password: person.password,
      access_token,
      refresh_token,
      key,
      keyHash: sha256Hex(key),
      passwordHash,
    }
    const logs = lines.join('')
    expect(lines.length).toBeGreaterThan(5)
    for (const [name, secret] of Object.entries(secrets)) {
      expect(logs.includes(secret), `${name} in logs`).toBe(false)
      for (const answer of answers) expect(answer.text.includes(secret), `${name} in an answer`).toBe(false)
    }
    expect(created.text).toContain(key)
  })
})

/** The worker's scan of one commit holding these files, in a new repository of this owner. */
async function workerScan(owner: Person, files: Record<string, string>) {
  const pushed = committedPack(files, 'secrets')
  const repository = await repositoryOf(owner)
  const scan = await queuedPackScan(repository, pushed, { engines: ['secrets'] })
  await runScan({ scan_id: scan.id }, requestLog({ test: 'secrets-hygiene' }), { registry: [secretsEngine] })
  return { repository, scan }
}

describe('secrets found by a scan', () => {
  it('show nothing of their own characters in answers or log lines, and hash apart in two workspaces', async () => {
    // Fixed: one random value in about 1,500 repeats itself enough (`Ui7Lj7Lj7Q`) to read as a stand-in.
    const password = 'Kq7Tm2Wx9P'
    const awsSecret = unmistakable(40)
    const files = {
      'settings.py': `DB_PASSWORD = "${password}"\n`,
      'prod.env': `AWS_SECRET_ACCESS_KEY=${awsSecret}\n`,
    }
    const [one, two] = [await newOwner('one'), await newOwner('two')]
    const { lines } = captureLogs('DEBUG')

    const first = await workerScan(one, files)
    const second = await workerScan(two, files)
    const again = await workerScan(one, files)
    const scanned: [Person, typeof first][] = [
      [one, first],
      [two, second],
    ]
    const answers = await Promise.all(
      scanned.flatMap(([owner, { repository, scan }]) => [
        call(repositories, 'GET', `/v1/repositories/${repository.id}/findings`, { as: owner.token }),
        call(repositories, 'GET', `/v1/repositories/${repository.id}/scans/${scan.id}/sarif`, { as: owner.token }),
      ]),
    )

    const redacted = async (repository: typeof first.repository) =>
      Object.fromEntries(
        (await listFindingsOf(repository.id, { limit: 10 })).items.map((f) => [f.rule_id, f.metadata.redacted]),
      )
    const [inOne, inTwo, inOneAgain] = [
      await redacted(first.repository),
      await redacted(second.repository),
      await redacted(again.repository),
    ]
    expect(Object.keys(inOne).sort()).toEqual(['aws-secret-access-key', 'generic-password'])
    expect(inOne['generic-password']).toMatch(/^\[generic-password, 10 chars, #[0-9a-f]{6}\]$/)
    // One workspace's key: the same value hashes alike; another workspace's key: apart.
    expect(inOneAgain).toEqual(inOne)
    expect(inTwo['generic-password']).not.toBe(inOne['generic-password'])
    for (const answer of answers) expect(answer.status, answer.text).toBe(200)
    const logs = lines.join('')
    expect(lines.length).toBeGreaterThan(5)
    for (const secret of [password, awsSecret]) {
      expect(leakedPieces(logs, secret), 'in logs').toEqual([])
      for (const answer of answers) expect(leakedPieces(answer.text, secret), 'in an answer').toEqual([])
    }
  })
})
