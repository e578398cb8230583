// The SBOM route around the snapshot it describes: package URLs per ecosystem, a scan that has not
// succeeded (409), one that kept no packages (an empty BOM), and what a scan stores for it.
import { describe, expect, it } from 'vitest'
import { handler as repositories } from '../../functions/repositories/handler.js'
import { tableName, transact } from '../../shared/data/db.js'
import { getInventory, putInventory } from '../../shared/data/inventories.js'
import { newScanItem } from '../../shared/data/scans.js'
import { purlOf } from '../../shared/findings/sbom.js'
import { call, newOwner } from '../support/identity.js'
import { repositoryOf, scanOf } from '../support/scans.js'

async function storedScan(overrides: Parameters<typeof scanOf>[1] = {}) {
  const owner = await newOwner()
  const repository = await repositoryOf(owner)
  const scan = scanOf(repository, overrides)
  await transact([{ Put: { TableName: tableName(), Item: newScanItem(scan) } }], () => new Error('scan exists'))
  return { owner, scan, path: `/v1/repositories/${repository.id}/scans/${scan.id}/sbom` }
}

describe('the SBOM of a scan', () => {
  it('names packages by their package URL, with npm scopes, Maven groups and Packagist vendors as namespaces', () => {
    expect(purlOf({ ecosystem: 'npm', name: '@babel/core', version: '7.22.0' })).toBe('pkg:npm/%40babel/core@7.22.0')
    expect(purlOf({ ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core', version: '2.14.1' })).toBe(
      'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
    )
    expect(purlOf({ ecosystem: 'PyPI', name: 'Django_REST.framework', version: '3.0' })).toBe(
      'pkg:pypi/django-rest-framework@3.0',
    )
    expect(purlOf({ ecosystem: 'Packagist', name: 'symfony/http-kernel', version: 'v5.4.0' })).toBe(
      'pkg:composer/symfony/http-kernel@v5.4.0',
    )
    expect(purlOf({ ecosystem: 'crates.io', name: 'regex', version: '1.5.4' })).toBe('pkg:cargo/regex@1.5.4')
  })

  it('is refused (409) until the scan succeeds', async () => {
    const { owner, scan, path } = await storedScan()

    const answer = await call(repositories, 'GET', path, { as: owner.token })

    expect(answer.status).toBe(409)
    expect(answer.json.error).toMatchObject({ code: 'conflict', message: expect.stringContaining(scan.id) })
  })

  it('is an empty BOM for a scan that kept no packages, and lists what a scan kept, across parts', async () => {
    const finished = { status: 'succeeded' as const, finished_at: new Date().toISOString() }
    const empty = await storedScan(finished)
    const full = await storedScan(finished)
    const packages = Array.from({ length: 12_000 }, (_, i) => ({
      ecosystem: 'npm',
      name: `pkg-${i}`,
      version: '1.0.0',
      path: 'package-lock.json',
      direct: i < 10,
    }))
    await putInventory(full.scan.id, packages)

    const none = await call(repositories, 'GET', empty.path, { as: empty.owner.token })
    const all = await call(repositories, 'GET', full.path, { as: full.owner.token })

    expect(none.status).toBe(200)
    expect(JSON.parse(none.text)).toMatchObject({ components: [], vulnerabilities: [] })
    expect(await getInventory(full.scan.id)).toEqual(packages)
    expect(JSON.parse(all.text).components).toHaveLength(12_000)
  })
})
