// The advisory sync against a real HTTP server (node:http) serving OSV's export layout, on a table of its
// own: the advisory store is shared by every workspace, so other files' imports must not move its counts.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { ensureResources } from '../../infra/local/resources.js'
import { zip } from '../support/archives.js'
import { osvDir } from '../support/dependency-fixtures.js'

type Advisories = typeof import('../../shared/data/advisories.js')
type Lookup = typeof import('../../shared/data/advisory-lookup.js')
type Sync = typeof import('../../shared/ops/advisory-sync.js')
let advisories: Advisories
let lookup: Lookup
let sync: Sync

const minimist = JSON.parse(readFileSync(join(osvDir, 'GHSA-xvch-5gv4-984h.json'), 'utf8'))
/** The real minimist advisory, re-filed under other packages of one ecosystem. */
const recordOf = (id: string, modified: string, names: string[], ecosystem = 'Packagist', extra = {}) => ({
  ...minimist,
  id,
  modified,
  aliases: [],
  affected: names.map((name) => ({ package: { ecosystem, name }, ranges: minimist.affected[0].ranges })),
  ...extra,
})

const exportDir = mkdtempSync(join(tmpdir(), 'vega-osv-export-'))
/** Writes one ecosystem's export as OSV lays it out: all.zip, modified_id.csv (newest first), <id>.json. */
function publish(ecosystem: string, records: ReturnType<typeof recordOf>[]) {
  const dir = join(exportDir, ecosystem)
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, 'all.zip'),
    zip(records.map((record) => ({ name: `${record.id}.json`, content: JSON.stringify(record) }))),
  )
  for (const record of records) writeFileSync(join(dir, `${record.id}.json`), JSON.stringify(record))
  const rows = [...records].sort((a, b) => b.modified.localeCompare(a.modified))
  writeFileSync(join(dir, 'modified_id.csv'), rows.map((record) => `${record.modified},${record.id}\n`).join(''))
}

let server: Server
let baseUrl: string
const requests: string[] = []
/** Paths that answer 500 this many more times before they are served. */
const failing = new Map<string, number>()

beforeAll(async () => {
  const resources = await ensureResources(inject('endpoints'), { prefix: 'advisory-sync' })
  process.env.TABLE_NAME = resources.tableName
  advisories = await import('../../shared/data/advisories.js')
  lookup = await import('../../shared/data/advisory-lookup.js')
  sync = await import('../../shared/ops/advisory-sync.js')
  sync.syncLimits.attempts = 3
  server = createServer((request, response) => {
    const path = decodeURIComponent(request.url ?? '/')
    requests.push(path)
    const failures = failing.get(path) ?? 0
    if (failures > 0) {
      failing.set(path, failures - 1)
      return void response.writeHead(500).end('try again')
    }
    try {
      response.writeHead(200).end(readFileSync(join(exportDir, path)))
    } catch {
      response.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve))
  rmSync(exportDir, { recursive: true, force: true })
})

const ids = (records: { id: string }[]) => records.map((record) => record.id).sort()

describe('advisory sync', () => {
  it('imports a whole ecosystem from all.zip the first time, then finds nothing to do and says so', async () => {
    publish('Packagist', [
      recordOf('GHSA-sync-0001', '2026-01-01T00:00:00Z', ['acme/http']),
      recordOf('GHSA-sync-0002', '2026-01-02T00:00:00Z', ['acme/http', 'acme/yaml']),
      recordOf('GHSA-sync-0003', '2026-01-03T00:00:00Z', ['acme/log']),
    ])
    const lines: string[] = []

    const first = await sync.syncAdvisories({
      from: baseUrl,
      ecosystems: ['Packagist'],
      onProgress: (l) => lines.push(l),
    })
    const firstRequests = requests.splice(0)
    const second = await sync.syncAdvisories({
      from: baseUrl,
      ecosystems: ['Packagist'],
      onProgress: (l) => lines.push(l),
    })

    expect(first).toEqual({
      failed: [],
      deferred: [],
      synced: [expect.objectContaining({ ecosystem: 'Packagist', mode: 'full', imported: 3, updated: 0, records: 3 })],
    })
    expect(firstRequests).toEqual(['/Packagist/modified_id.csv', '/Packagist/all.zip'])
    expect(second.synced).toEqual([
      expect.objectContaining({ mode: 'up_to_date', changed: 0, imported: 0, updated: 0, records: 3 }),
    ])
    expect(requests.splice(0)).toEqual(['/Packagist/modified_id.csv'])
    expect(lines[1]).toBe('Packagist: up to date (3 advisories, newest 2026-01-03T00:00:00Z)')
    expect(ids(await lookup.advisoriesFor('Packagist', 'acme/http'))).toEqual(['GHSA-sync-0001', 'GHSA-sync-0002'])
    expect(await advisories.advisoryDataOf('Packagist')).toMatchObject({
      records: 3,
      last_modified: '2026-01-03T00:00:00Z',
      source: baseUrl,
    })
  })

  it('then fetches only what changed, replacing a record whole: a dropped package stops matching, a withdrawn record too', async () => {
    publish('Packagist', [
      recordOf('GHSA-sync-0001', '2026-01-01T00:00:00Z', ['acme/http']),
      // Now affects acme/http only: acme/yaml must lose it.
      recordOf('GHSA-sync-0002', '2026-02-01T00:00:00Z', ['acme/http']),
      recordOf('GHSA-sync-0003', '2026-02-02T00:00:00Z', ['acme/log'], 'Packagist', {
        withdrawn: '2026-02-02T00:00:00Z',
      }),
      recordOf('GHSA-sync-0004', '2026-02-03T00:00:00Z', ['acme/queue']),
    ])
    // The first request for one changed record fails: it is retried, not skipped.
    failing.set('/Packagist/GHSA-sync-0004.json', 1)

    const { synced, failed } = await sync.syncAdvisories({ from: baseUrl, ecosystems: ['Packagist'] })

    expect(failed).toEqual([])
    expect(synced).toEqual([
      expect.objectContaining({ mode: 'incremental', changed: 3, imported: 1, updated: 2, records: 4 }),
    ])
    expect(requests.splice(0).sort()).toEqual(
      [
        '/Packagist/modified_id.csv',
        '/Packagist/GHSA-sync-0002.json',
        '/Packagist/GHSA-sync-0003.json',
        '/Packagist/GHSA-sync-0004.json',
        '/Packagist/GHSA-sync-0004.json',
      ].sort(),
    )
    expect(ids(await lookup.advisoriesFor('Packagist', 'acme/yaml'))).toEqual([])
    expect(ids(await lookup.advisoriesFor('Packagist', 'acme/queue'))).toEqual(['GHSA-sync-0004'])
    const { isAffected } = await import('../../shared/scanning/engines/dependencies/osv.js')
    const [withdrawn] = await lookup.advisoriesFor('Packagist', 'acme/log')
    expect(isAffected(withdrawn!, 'Packagist', 'acme/log', '1.2.5')).toBe(false)
    expect((await advisories.advisoryDataOf('Packagist'))?.last_modified).toBe('2026-02-03T00:00:00Z')
  })

  it('reports an ecosystem whose export keeps failing, leaves its state as it was, and syncs the others', async () => {
    publish('NuGet', [recordOf('GHSA-sync-0101', '2026-03-01T00:00:00Z', ['Acme.Http'], 'NuGet')])
    publish('Packagist', [recordOf('GHSA-sync-0005', '2026-03-01T00:00:00Z', ['acme/mail'])])
    failing.set('/Packagist/modified_id.csv', 10)
    const before = await advisories.advisoryDataOf('Packagist')

    const { synced, failed } = await sync.syncAdvisories({ from: baseUrl, ecosystems: ['Packagist', 'NuGet'] })
    failing.clear()

    expect(failed).toEqual([
      { ecosystem: 'Packagist', error: expect.stringContaining('/Packagist/modified_id.csv answered 500') },
    ])
    expect(requests.splice(0).filter((path) => path === '/Packagist/modified_id.csv')).toHaveLength(3)
    expect(synced).toEqual([expect.objectContaining({ ecosystem: 'NuGet', mode: 'full', imported: 1 })])
    expect(await advisories.advisoryDataOf('Packagist')).toEqual(before)
    expect(ids(await lookup.advisoriesFor('Packagist', 'acme/mail'))).toEqual([])
  })

  it('reads the same layout from a folder (a mirror), and refuses a listed id that could leave it', async () => {
    writeFileSync(
      join(exportDir, 'NuGet', 'modified_id.csv'),
      '2026-04-02T00:00:00Z,../../secrets\n2026-04-01T00:00:00Z,GHSA-sync-0102\nnot,a,row\n',
    )
    writeFileSync(
      join(exportDir, 'NuGet', 'GHSA-sync-0102.json'),
      JSON.stringify(recordOf('GHSA-sync-0102', '2026-04-01T00:00:00Z', ['Acme.Json'], 'NuGet')),
    )

    const { synced } = await sync.syncAdvisories({ from: exportDir, ecosystems: ['NuGet'] })

    expect(synced).toEqual([expect.objectContaining({ mode: 'incremental', changed: 1, imported: 1, records: 2 })])
    expect(ids(await lookup.advisoriesFor('NuGet', 'acme.json'))).toEqual(['GHSA-sync-0102'])
    expect((await advisories.advisoryDataOf('NuGet'))?.source).toBe(exportDir)
  })

  it('lists every ecosystem it knows with its count, sync time and source', async () => {
    const data = await advisories.advisoryData()

    expect(data.map((entry) => [entry.ecosystem, entry.records]).sort()).toEqual([
      ['NuGet', 2],
      ['Packagist', 4],
    ])
    for (const entry of data) expect(Date.parse(entry.synced_at!)).toBeGreaterThan(Date.now() - 60_000)
  })

  it('takes the least recently synced ecosystems first, and starts none past startBefore (the rest wait)', async () => {
    // Packagist's last sync is older (the run above failed it and synced NuGet): Packagist comes first.
    const order: string[] = []
    const { synced, deferred } = await sync.syncAdvisories({
      from: exportDir,
      ecosystems: ['Packagist', 'NuGet'],
      onProgress: (line) => order.push(line.split(':')[0]!),
    })
    const none = await sync.syncAdvisories({ from: exportDir, ecosystems: ['NuGet'], startBefore: Date.now() - 1 })

    expect(synced.map((entry) => entry.ecosystem)).toEqual(['Packagist', 'NuGet'])
    expect(order).toEqual(['Packagist', 'NuGet'])
    expect(deferred).toEqual([])
    expect(none).toEqual({ synced: [], failed: [], deferred: ['NuGet'] })
  })

  it('calls an ecosystem stale when it was never synced, or not within ADVISORY_STALE_AFTER_H (48 h)', async () => {
    const { advisoryFreshness } = await import('../../shared/ops/workers.js')

    const now = await advisoryFreshness()
    const threeDaysOn = await advisoryFreshness(Date.now() + 72 * 3600_000)

    expect(now.filter((entry) => !entry.stale).map((entry) => entry.ecosystem)).toEqual(['NuGet', 'Packagist'])
    expect(now.find((entry) => entry.ecosystem === 'npm')).toEqual({
      ecosystem: 'npm',
      records: 0,
      synced_at: null,
      last_modified: null,
      stale: true,
    })
    expect(threeDaysOn.every((entry) => entry.stale)).toBe(true)
    // The source wrote `2026-03-01T00:00:00Z`; the API answers in its one format.
    expect(now.find((entry) => entry.ecosystem === 'Packagist')?.last_modified).toBe('2026-03-01T00:00:00.000Z')
  })
})
