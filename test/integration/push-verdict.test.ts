// The verdict a waiting push gets when the scan gives none: not in time, or failed; and what it tells while
// it waits. Scans stored here and never queued, so no worker can settle them behind the test's back.
import { describe, expect, it } from 'vitest'
import { tableName, transact } from '../../shared/data/db.js'
import { newScanItem, recordProgress } from '../../shared/data/scans.js'
import { pushVerdict } from '../../shared/uploads/push-verdict.js'
import { newOwner } from '../support/identity.js'
import { repositoryOf, scanOf } from '../support/scans.js'

async function storedScan(overrides: Parameters<typeof scanOf>[1] = {}) {
  const repository = await repositoryOf(await newOwner())
  const scan = scanOf(repository, overrides)
  await transact([{ Put: { TableName: tableName(), Item: newScanItem(scan) } }], () => new Error('scan exists'))
  return scan
}

describe('a waiting push without a verdict', () => {
  it('is rejected after the wait, naming the scan that goes on and how to wait longer', async () => {
    const scan = await storedScan()
    const started = Date.now()

    const verdict = await pushVerdict(scan.id, scan.repository_id, { waitS: 1 })

    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
    expect(Date.now() - started).toBeLessThan(3000)
    expect(verdict.rejection).toBe('vega: no verdict within 1 s')
    expect(verdict.lines[0]).toMatch(new RegExp(`^Vega: scan ${scan.id} has no verdict after 1 s; it goes on: http`))
    expect(verdict.lines[1]).toContain('-o vega.wait=<seconds>')
  })

  it('is rejected with the failure code and message when the scan failed', async () => {
    const scan = await storedScan({
      status: 'failed',
      finished_at: new Date().toISOString(),
      error: { code: 'bad_pack', message: 'the pack is truncated', retryable: false, details: {} },
    })

    const verdict = await pushVerdict(scan.id, scan.repository_id, { waitS: 5 })

    expect(verdict.rejection).toBe('vega: scan failed')
    expect(verdict.lines[0]).toBe(`Vega: scan ${scan.id} failed: bad_pack: the pack is truncated`)
  })
})

describe('a waiting push, while the scan runs', () => {
  it("tells the scan's start, its input, each engine done and the one running, each once, and that it still waits", async () => {
    const startedAt = new Date()
    const scan = await storedScan({
      status: 'running',
      created_at: new Date(startedAt.getTime() - 1500).toISOString(),
      started_at: startedAt.toISOString(),
    })
    await recordProgress(scan.id, {
      files: 5,
      blobs: 9,
      commits: 2,
      shards: 2,
      engine: 'code, dependencies',
      done: [{ engine: 'secrets', findings: 2, ms: 1234 }],
    })
    const said: string[] = []

    const verdict = await pushVerdict(
      scan.id,
      scan.repository_id,
      { waitS: 2 },
      { say: (line) => said.push(line), quietMs: 600 },
    )

    expect(said.slice(0, 4)).toEqual([
      'Vega: scan started (1.5 s in the queue)',
      'Vega: scanning 5 files (9 blobs in 2 commits) in 2 shards',
      'Vega: engine secrets done in 1.2 s: 2 findings',
      'Vega: engines code, dependencies running',
    ])
    expect(said.slice(4).length).toBeGreaterThanOrEqual(1)
    for (const line of said.slice(4))
      expect(line).toMatch(/^Vega: still waiting: engines code, dependencies running \(\d s of 2 s\)$/)
    expect(verdict.rejection).toBe('vega: no verdict within 2 s')
  })

  it('tells a queued scan that it waits, and nothing it has not seen', async () => {
    const scan = await storedScan()
    const said: string[] = []

    await pushVerdict(scan.id, scan.repository_id, { waitS: 1 }, { say: (line) => said.push(line), quietMs: 300 })

    expect(said.length).toBeGreaterThanOrEqual(1)
    for (const line of said) expect(line).toMatch(/^Vega: still waiting: scan queued \(\d s of 1 s\)$/)
  })

  it('stops waiting when nobody listens any more (the client went away)', async () => {
    const scan = await storedScan()
    const started = Date.now()

    const verdict = await pushVerdict(scan.id, scan.repository_id, { waitS: 60 }, { signal: AbortSignal.timeout(300) })

    expect(Date.now() - started).toBeLessThan(5000)
    expect(verdict.rejection).toBe('vega: no verdict within 60 s')
  })
})
