// The verdict a waiting push gets when the scan gives none: not in time, or failed. Scans stored here and
// never queued, so no worker can settle them behind the test's back.
import { describe, expect, it } from 'vitest'
import { tableName, transact } from '../../shared/data/db.js'
import { newScanItem } from '../../shared/data/scans.js'
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
