import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { handler as apiKeys } from '../../functions/api-keys/handler.js'
import { handler as auth } from '../../functions/auth/handler.js'
import { handler as repositories } from '../../functions/repositories/handler.js'
import { handler as workspaces } from '../../functions/workspaces/handler.js'
import { sha256Hex } from '../../shared/crypto/api-key-format.js'
import { tableName, transact } from '../../shared/data/db.js'
import { listFindingsOf } from '../../shared/data/findings.js'
import { newScanItem } from '../../shared/data/scans.js'
import { getUser } from '../../shared/data/users.js'
import { newId } from '../../shared/ids.js'
import { logger, requestLog } from '../../shared/log.js'
import { secretsEngine } from '../../shared/scanning/engines/secrets/index.js'
import { putObject } from '../../shared/storage/objects.js'
import { runScan } from '../../shared/worker/run-scan.js'
import { commitAll, initRepo, packOf, removeTempDirs } from '../support/git-fixtures.js'
import { call, newOwner, type Person } from '../support/identity.js'
import { leakedPieces } from '../support/leaks.js'
import { repositoryOf, scanOf } from '../support/scans.js'

afterAll(removeTempDirs)

afterEach(() => {
  logger.setLogLevel('SILENT')
  vi.restoreAllMocks()
})

describe('secrets', () => {
  it('never appear in a log line, nor in any answer but the one that hands them out', async () => {
    const person = await newOwner()
    const lines: string[] = []
    logger.setLogLevel('DEBUG')
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk) => lines.push(String(chunk)) > 0)
    }

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

/** Every 4 characters hold an uppercase letter and a lowercase one past `f`: no id or hex hash holds them by chance. */
function unmistakable(length: number): string {
  const classes = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'ghijkmnpqrstuvwxyz', '23456789']
  return Array.from(crypto.getRandomValues(new Uint8Array(length)), (byte, index) => {
    const alphabet = classes[index % 3]!
    return alphabet[byte % alphabet.length]
  }).join('')
}

/** The worker's scan of one commit holding these files, in a new repository of this owner. */
async function workerScan(owner: Person, files: Record<string, string>) {
  const dir = initRepo()
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text)
  const head = commitAll(dir, 'secrets')
  const pack = packOf(dir, 'HEAD')
  const repository = await repositoryOf(owner)
  const scan = scanOf(repository, {
    input: {
      kind: 'pack',
      key: `uploads/test/${newId('upload')}.pack`,
      bytes: pack.length,
      refs: [{ ref: 'refs/heads/main', oid: head }],
    },
    engines: ['secrets'],
  })
  await putObject(scan.input.key, pack)
  await transact([{ Put: { TableName: tableName(), Item: newScanItem(scan) } }], () => new Error('scan exists'))
  await runScan({ scan_id: scan.id }, requestLog({ test: 'secrets-hygiene' }), { registry: [secretsEngine] })
  return { repository, scan }
}

describe('secrets found by a scan', () => {
  it('show nothing of their own characters in answers or log lines, and hash apart in two workspaces', async () => {
    const password = unmistakable(10)
    const awsSecret = unmistakable(40)
    const files = {
      'settings.py': `DB_PASSWORD = "${password}"\n`,
      'prod.env': `AWS_SECRET_ACCESS_KEY=${awsSecret}\n`,
    }
    const [one, two] = [await newOwner('one'), await newOwner('two')]
    const lines: string[] = []
    logger.setLogLevel('DEBUG')
    for (const stream of [process.stdout, process.stderr])
      vi.spyOn(stream, 'write').mockImplementation((chunk) => lines.push(String(chunk)) > 0)

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
