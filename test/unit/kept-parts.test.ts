// When a thin push's pack is kept as a part of its repository's complete pack, and when the joined pack
// is written whole again instead.
import { describe, expect, it } from 'vitest'
import type { ScanRecord } from '../../shared/data/scans.js'
import { newId } from '../../shared/ids.js'
import * as objectKeys from '../../shared/storage/object-keys.js'
import { keptAsPart } from '../../shared/worker/kept.js'

const now = Date.parse('2026-12-06T12:00:00Z')
const daysAgo = (days: number) => new Date(now - days * 24 * 3600 * 1000).toISOString()

/** A thin push's scan built on a pack Vega wrote, `parts` thin packs ago, `age` days old; overrides after. */
function thinPush(
  parts: number,
  age: number,
  base: Partial<NonNullable<ScanRecord['input']['base']>> = {},
  input: Partial<ScanRecord['input']> = {},
): ScanRecord {
  const [workspace, repository] = [newId('workspace'), newId('repository')]
  const kept = (name: string) => `${objectKeys.kept(workspace, repository)}packs/${name}`
  return {
    id: newId('scan'),
    workspace_id: workspace,
    repository_id: repository,
    project_id: newId('project'),
    upload_id: null,
    status: 'running',
    engines: ['secrets', 'code'],
    error: null,
    stats: null,
    created_at: daysAgo(0),
    started_at: daysAgo(0),
    finished_at: null,
    input: {
      kind: 'pack',
      key: `uploads/${workspace}/${repository}/upl_1/push-1.pack`,
      bytes: 375,
      base: {
        key: kept('scan_1.pack'),
        kind: 'pack',
        tips: [],
        stored_at: daysAgo(age),
        ...(parts ? { parts: Array.from({ length: parts }, (_, at) => kept(`scan_${at + 2}.part.pack`)) } : {}),
        ...base,
      },
      ...input,
    },
  }
}

const small = { partBytes: 4096 }

describe('a thin push kept as a part', () => {
  it('is kept as a part of a pack Vega wrote, under 3 days old, with fewer than 16 parts and 64 MiB of them', () => {
    expect(keptAsPart(thinPush(0, 0.5), small, now)).toBe(true)
    expect(keptAsPart(thinPush(15, 2.9), { partBytes: 64 * 1024 ** 2 }, now)).toBe(true)
  })

  it('is written whole with the pack it joined otherwise', () => {
    expect(keptAsPart(thinPush(16, 0.5), small, now)).toBe(false)
    expect(keptAsPart(thinPush(3, 3.1), small, now)).toBe(false)
    expect(keptAsPart(thinPush(3, 1), { partBytes: 64 * 1024 ** 2 + 1 }, now)).toBe(false)
    // A pushed pack or bundle is a scan's input (deleted past the workspace's retention), not Vega's own.
    expect(keptAsPart(thinPush(0, 0.5, { key: 'uploads/ws/repo/upl_1/push-1.pack' }), small, now)).toBe(false)
    expect(keptAsPart(thinPush(0, 0.5, { stored_at: undefined }), small, now)).toBe(false)
    expect(keptAsPart(thinPush(0, 0.5, {}, { kind: 'bundle' }), small, now)).toBe(false)
    expect(keptAsPart(thinPush(0, 0.5, {}, { base: undefined }), small, now)).toBe(false)
  })
})
