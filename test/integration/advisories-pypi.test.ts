// The whole PyPA advisory database (OSV YAML, the eval kit's advisories/pypi-osv.tgz) imported into the
// store, and requirements scanned against it, judged by matches an independent prototype produced
// (labels/public/sca-pypi-requirements.json). On a table of its own: other files count what they import.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { ensureResources } from '../../infra/local/resources.js'
import { evalDir } from '../support/eval-kit.js'
import { folderSource } from '../support/folder-source.js'

interface Labels {
  results: Record<
    string,
    { packages_parsed: number; matches: { package: string; version: string; advisory: string }[] }
  >
}
const labels = JSON.parse(readFileSync(join(evalDir(), 'labels/public/sca-pypi-requirements.json'), 'utf8')) as Labels
const expected = Object.values(labels.results).flatMap((file) => file.matches)
const project = mkdtempSync(join(tmpdir(), 'vega-pypi-'))

let advisories: typeof import('../../shared/data/advisories.js')
let lookup: typeof import('../../shared/data/advisory-lookup.js')
let importer: typeof import('../../shared/ops/advisory-import.js')
let imported: Awaited<ReturnType<typeof importer.importAdvisoriesFrom>>

beforeAll(async () => {
  const resources = await ensureResources(inject('endpoints'), { prefix: 'advisories-pypi' })
  process.env.TABLE_NAME = resources.tableName
  advisories = await import('../../shared/data/advisories.js')
  lookup = await import('../../shared/data/advisory-lookup.js')
  importer = await import('../../shared/ops/advisory-import.js')
  imported = await importer.importAdvisoriesFrom(join(evalDir(), 'advisories/pypi-osv.tgz'))
}, 180_000)

afterAll(() => rmSync(project, { recursive: true, force: true }))

describe('the PyPA advisory database, whole', () => {
  it('imports every record of the tarball and records what the store now holds for PyPI', async () => {
    expect(imported).toMatchObject({ read: 2661, imported: 2661, updated: 0, unchanged: 0, skipped: 0 })
    expect(await advisories.advisoryDataOf('PyPI')).toMatchObject({
      ecosystem: 'PyPI',
      records: 2661,
      source: expect.stringMatching(/pypi-osv\.tgz$/),
    })
  })

  it('finds exactly the 44 advisories the labels list for their pinned packages, through per-package lookups', async () => {
    const pins = [...new Set(expected.map((match) => `${match.package}==${match.version}`))]
    writeFileSync(join(project, 'requirements.txt'), `${pins.join('\n')}\n`)
    const { scanDependencies } = await import('../../shared/scanning/engines/dependencies/index.js')

    const scan = await scanDependencies(folderSource(project), lookup.dynamoAdvisorySource())
    const found = scan.findings.map(
      (finding) => `${finding.metadata.package}@${finding.metadata.version}:${finding.rule_id}`,
    )

    expect(expected).toHaveLength(44)
    // One lookup per distinct package (idna is pinned twice), never a pass over all 2,661 records.
    expect(scan.packages).toBe(new Set(expected.map((match) => match.package)).size)
    expect(found.sort()).toEqual(expected.map((m) => `${m.package}@${m.version}:${m.advisory}`).sort())
  })

  it('imports the same tarball again without writing anything, and says so', async () => {
    const again = await importer.importAdvisoriesFrom(join(evalDir(), 'advisories/pypi-osv.tgz'))

    expect(again).toMatchObject({ read: 2661, imported: 0, updated: 0, unchanged: 2661, skipped: 0 })
    expect((await advisories.advisoryDataOf('PyPI'))?.records).toBe(2661)
  }, 120_000)
})
