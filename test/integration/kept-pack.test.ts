// A thin push scanned by a warm worker: joined with the worker's copy of the repository's kept pack while
// the bucket holds that very object, downloaded otherwise, and the findings always those of a full scan.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { updateIf } from '../../shared/data/db.js'
import { listFindingsOf } from '../../shared/data/findings.js'
import * as keys from '../../shared/data/keys.js'
import { getRepository, type RepositoryRecord } from '../../shared/data/repositories.js'
import { getScan, type ScanRecord } from '../../shared/data/scans.js'
import { newId } from '../../shared/ids.js'
import { requestLog } from '../../shared/log.js'
import * as objectKeys from '../../shared/storage/object-keys.js'
import { deletePrefix, putObject } from '../../shared/storage/objects.js'
import { forgetHeld } from '../../shared/worker/kept.js'
import { runScan } from '../../shared/worker/run-scan.js'
import { commitAll, git, initRepo, packOf, removeTempDirs } from '../support/git-fixtures.js'
import { newOwner } from '../support/identity.js'
import { queuedPackScan, repositoryOf } from '../support/scans.js'

afterAll(removeTempDirs)
const log = requestLog({ test: 'kept-pack' })
const engines = ['secrets', 'code']

/** A repository of a few modules and a code flaw, committed; its folder and head. */
function appRepo() {
  const dir = initRepo()
  for (let i = 0; i < 12; i++) writeFileSync(join(dir, `module-${i}.js`), `export const f${i} = (a) => a + ${i}\n`)
  writeFileSync(join(dir, 'app.js'), 'export const run = (req) => eval(req.query.code)\n')
  return { dir, head: commitAll(dir, 'first') }
}

/** A new commit changing one file; the new head and what `git push` sends against `since`: a thin pack. */
function change(dir: string, since: string, file: string, text: string) {
  writeFileSync(join(dir, file), text)
  const head = commitAll(dir, `change ${file}`)
  const args = ['pack-objects', '--stdout', '--revs', '--thin', '-q', '--delta-base-offset']
  return { head, pack: git(dir, args, `${head}\n^${since}\n`) }
}

/** Runs a scan of this push of main to the repository, as the push leaves it (offered its kept pack); its report. */
async function scanPush(repository: RepositoryRecord, pack: Buffer, head: string) {
  const refs = [{ ref: 'refs/heads/main', oid: head }]
  const objects = (await getRepository(repository.id))?.objects
  const base = objects && (({ scan_id, ...rest }) => rest)(objects)
  const key = `uploads/test/${newId('upload')}.pack`
  const scan = await queuedPackScan(
    repository,
    { pack, refs },
    { engines, input: { kind: 'pack', key, bytes: pack.length, refs, ...(base ? { base } : {}) } },
  )
  const report: NonNullable<Parameters<typeof runScan>[2]>['report'] = {}
  await runScan({ scan_id: scan.id }, log, { report })
  return { scan: (await getScan(scan.id))!, from: report.kept?.pack, kept: report.kept, base }
}

/** Where a thin push's pack is kept as a part of its repository's complete pack. */
const partOf = (scan: ScanRecord) => objectKeys.packPart(scan.workspace_id, scan.repository_id, scan.id)

/** The repository's open findings as a user compares them. */
async function openFindings(repository: RepositoryRecord) {
  return (await listFindingsOf(repository.id, { limit: 100 }, 'open')).items
    .map(({ rule_id, path, start_line, fingerprint }) => JSON.stringify({ rule_id, path, start_line, fingerprint }))
    .sort()
}

describe('the kept pack on a warm worker', () => {
  it('joins thin pushes with its copy of the kept pack, the new one each time, and finds what a full scan finds', async () => {
    const owner = await newOwner()
    const repository = await repositoryOf(owner)
    const { dir, head } = appRepo()
    const first = await scanPush(repository, packOf(dir, 'HEAD'), head)
    const second = change(dir, head, 'module-3.js', 'export const g = (req) => eval(req.body)\n')
    const third = change(dir, second.head, 'module-4.js', 'export const four = 4\n')

    const thin = await scanPush(repository, second.pack, second.head)
    const thinAgain = await scanPush(repository, third.pack, third.head)
    forgetHeld()
    const fourth = change(dir, third.head, 'module-5.js', 'export const five = 5\n')
    const cold = await scanPush(repository, fourth.pack, fourth.head)
    const kept = (await getRepository(repository.id))!.objects!

    expect(first).toMatchObject({ scan: { status: 'succeeded' }, kept: {} })
    // The kept pack from disk, the history walk and the head's trees from memory.
    expect(thin).toMatchObject({ scan: { status: 'succeeded' }, kept: { pack: 'held', walk: 'held', trees: 'held' } })
    // The kept pack changed (the first push's, then the joined one written whole: the first push is a
    // scan's input, which takes no parts): the copy followed it. The thin pushes since are its parts.
    expect(thinAgain.base).toMatchObject({ key: objectKeys.wholePack(owner.workspaceId, repository.id, thin.scan.id) })
    expect(thinAgain.base?.parts).toBeUndefined()
    expect(thinAgain).toMatchObject({ scan: { status: 'succeeded' }, from: 'held' })
    expect(cold.base).toMatchObject({ key: thinAgain.base!.key, parts: [partOf(thinAgain.scan)] })
    expect(cold).toMatchObject({
      scan: { status: 'succeeded' },
      kept: { pack: 'downloaded', walk: 'downloaded', trees: 'downloaded' },
    })
    expect(kept).toMatchObject({ key: thinAgain.base!.key, parts: [partOf(thinAgain.scan), partOf(cold.scan)] })
    const whole = await repositoryOf(owner)
    await scanPush(whole, packOf(dir, 'HEAD'), fourth.head)
    expect(await openFindings(repository)).toEqual(await openFindings(whole))
    expect((await openFindings(repository)).length).toBe(2)
  })

  it('writes the complete pack whole again once its kept pack is 3 days old, and fails when a part is gone', async () => {
    const owner = await newOwner()
    const repository = await repositoryOf(owner)
    const { dir, head } = appRepo()
    await scanPush(repository, packOf(dir, 'HEAD'), head)
    const pushes = [change(dir, head, 'module-1.js', 'export const one = 1\n')]
    for (const [at, file] of ['module-2.js', 'module-3.js', 'module-4.js', 'module-5.js'].entries())
      pushes.push(change(dir, pushes[at]!.head, file, `export const n = ${at}\n`))
    const scanned: Awaited<ReturnType<typeof scanPush>>[] = []
    for (const push of pushes.slice(0, 2)) scanned.push(await scanPush(repository, push.pack, push.head))
    const chained = (await getRepository(repository.id))!.objects!
    await updateIf({
      Key: keys.repositoryById(repository.id),
      UpdateExpression: 'SET #objects.stored_at = :old',
      ExpressionAttributeNames: { '#objects': 'objects' },
      ExpressionAttributeValues: { ':old': new Date(Date.now() - 3.1 * 24 * 3600 * 1000).toISOString() },
    })

    scanned.push(await scanPush(repository, pushes[2]!.pack, pushes[2]!.head))
    const rewritten = (await getRepository(repository.id))!.objects!
    scanned.push(await scanPush(repository, pushes[3]!.pack, pushes[3]!.head))
    const part = (await getRepository(repository.id))!.objects!.parts![0]!
    await deletePrefix(part)
    const lost = await scanPush(repository, pushes[4]!.pack, pushes[4]!.head)

    expect(scanned.map(({ scan }) => scan.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded'])
    expect(chained).toMatchObject({
      key: objectKeys.wholePack(owner.workspaceId, repository.id, scanned[0]!.scan.id),
      parts: [partOf(scanned[1]!.scan)],
    })
    expect(rewritten.key).toBe(objectKeys.wholePack(owner.workspaceId, repository.id, scanned[2]!.scan.id))
    expect(rewritten.parts).toBeUndefined()
    expect(Date.now() - Date.parse(rewritten.stored_at)).toBeLessThan(60_000)
    expect(part).toBe(partOf(scanned[3]!.scan))
    expect(lost.scan).toMatchObject({ status: 'failed', error: { code: 'missing_base' } })
    expect((await getRepository(repository.id))?.objects).toBeUndefined()
    const whole = await repositoryOf(owner)
    await scanPush(whole, packOf(dir, 'HEAD~1'), pushes[3]!.head)
    expect(await openFindings(repository)).toEqual(await openFindings(whole))
  })

  it('downloads the kept pack when the bucket holds another object under its key, and fails when it holds none', async () => {
    const owner = await newOwner()
    const repository = await repositoryOf(owner)
    const { dir, head } = appRepo()
    await scanPush(repository, packOf(dir, 'HEAD'), head)
    const kept = (await getRepository(repository.id))!.objects!
    // The same objects packed otherwise (stored, not compressed): a valid base with other bytes and ETag.
    const stored = git(dir, ['-c', 'pack.compression=0', 'pack-objects', '--stdout', '--revs', '-q'], 'HEAD\n')
    expect(stored.equals(packOf(dir, 'HEAD'))).toBe(false)
    await putObject(kept.key, stored)
    const second = change(dir, head, 'module-1.js', 'export const one = 1\n')

    const replaced = await scanPush(repository, second.pack, second.head)
    await deletePrefix((await getRepository(repository.id))!.objects!.key)
    const third = change(dir, second.head, 'module-2.js', 'export const two = 2\n')
    const lost = await scanPush(repository, third.pack, third.head)

    expect(replaced).toMatchObject({ scan: { status: 'succeeded' }, from: 'downloaded' })
    expect(lost.scan).toMatchObject({ status: 'failed', error: { code: 'missing_base' } })
    expect((await getRepository(repository.id))?.objects).toBeUndefined()
  })
})
