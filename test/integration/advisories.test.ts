import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { putAdvisories } from '../../shared/data/advisories.js'
import { advisoriesFor, dynamoAdvisorySource } from '../../shared/data/advisory-lookup.js'
import { importAdvisoriesFrom } from '../../shared/ops/advisory-import.js'
import { scanDependencies } from '../../shared/scanning/engines/dependencies/index.js'
import { lockfileLabels, lockfilesDir, osvDir, osvFiles } from '../support/dependency-fixtures.js'
import { folderSource } from '../support/folder-source.js'

const fixtureIds = osvFiles.map((name) => name.replace(/\.json$/, ''))
const minimist = JSON.parse(readFileSync(join(osvDir, 'GHSA-xvch-5gv4-984h.json'), 'utf8'))

/** A record of the real minimist advisory, filed under a package no other test uses. */
const recordFor = (name: string, id = `TEST-${Math.random().toString(36).slice(2)}`, extra = {}) => ({
  ...minimist,
  id,
  aliases: [],
  affected: [{ package: { ecosystem: 'npm', name }, ranges: minimist.affected[0].ranges }],
  ...extra,
})
const uniqueName = () => `vega-test-${Math.random().toString(36).slice(2)}`

describe('advisory store', () => {
  beforeAll(async () => {
    await importAdvisoriesFrom(osvDir)
  })

  it('imports the shipped OSV records, and writes nothing when the same records come again', async () => {
    const again = await importAdvisoriesFrom(osvDir)

    expect(fixtureIds).toHaveLength(11)
    expect(again).toMatchObject({ read: 11, imported: 0, updated: 0, unchanged: 11, skipped: 0, notes: [] })
  })

  it('files a record under every package it affects, and finds PyPI names in any spelling', async () => {
    const lodashEs = await advisoriesFor('npm', 'lodash-es')
    const django = await advisoriesFor('PyPI', 'Django')
    const sys = await advisoriesFor('Go', 'golang.org/x/sys')

    expect(lodashEs.map((record) => record.id).sort()).toEqual(['GHSA-jf85-cpcp-j695', 'GHSA-p6mc-m468-83gw'])
    expect(django.map((record) => record.id)).toEqual(['PYSEC-2021-98'])
    expect(django[0]!.affected?.[0]?.versions).toHaveLength(266)
    expect(sys.map((record) => record.id)).toEqual(['GO-2022-0493'])
  })

  it('imports a new record, replaces it with a later modification, and keeps it against an older one', async () => {
    const name = uniqueName()
    const record = recordFor(name)

    const first = await putAdvisories([record])
    const second = await putAdvisories([{ ...record, modified: '2024-06-01T00:00:00Z' }])
    const older = await putAdvisories([{ ...record, modified: '2020-01-01T00:00:00Z', summary: 'stale' }])
    const stored = await advisoriesFor('npm', name)

    expect(first).toMatchObject({ imported: 1, updated: 0, unchanged: 0, skipped: 0, notes: [] })
    expect(second).toMatchObject({ imported: 0, updated: 1, unchanged: 0, skipped: 0, notes: [] })
    expect(older).toMatchObject({ imported: 0, updated: 0, unchanged: 1, skipped: 0, notes: [] })
    expect(stored).toHaveLength(1)
    expect(stored[0]).toMatchObject({ id: record.id, modified: '2024-06-01T00:00:00Z', summary: minimist.summary })
  })

  it('writes more records than one batch holds', async () => {
    const name = uniqueName()
    const records = Array.from({ length: 60 }, (_, i) => recordFor(name, `TEST-BATCH-${name}-${i}`))

    const result = await putAdvisories(records)

    expect(result).toMatchObject({ imported: 60, updated: 0 })
    expect(await advisoriesFor('npm', name)).toHaveLength(60)
  })

  it('skips invalid records, records over the size cap, and ecosystems it does not match, with notes', async () => {
    const name = uniqueName()
    const oversized = recordFor(name, 'TEST-HUGE', { details: 'x'.repeat(310 * 1024) })
    const debian = {
      ...recordFor(name, 'TEST-DEBIAN'),
      affected: [{ package: { ecosystem: 'Debian:12', name: 'openssl' }, versions: ['3.0.1'] }],
    }

    const result = await putAdvisories([{ id: 'TEST-NO-MODIFIED' }, oversized, debian])

    expect(result).toMatchObject({ imported: 0, updated: 0, skipped: 3 })
    expect(result.notes).toEqual([
      expect.stringContaining('TEST-NO-MODIFIED: not an OSV record'),
      expect.stringContaining('TEST-HUGE: '),
    ])
    expect(await advisoriesFor('npm', name)).toEqual([])
  })

  it('feeds the dependencies engine: the stored advisories find the labelled packages', async () => {
    const scan = await scanDependencies(folderSource(lockfilesDir), dynamoAdvisorySource())

    expect(scan.findings.map((finding) => finding.identity).sort()).toEqual(
      Object.values(lockfileLabels)
        .flatMap((label) => label.vulnerable)
        .sort(),
    )
  })
})
