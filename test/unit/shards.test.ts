// Sharding's pure parts: how a list is cut into shares, and each engine's parts merged against its run
// over the whole (shared/scanning/engine.ts shareOf, Engine.sharded). The queue, the bucket and the
// merge's once-only are the e2e tests' (sharded-scan, sharded-failures).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { type Engine, type EngineFinding, type ScanSource, shareOf } from '../../shared/scanning/engine.js'
import { codeEngine } from '../../shared/scanning/engines/code/index.js'
import { createSecretsEngine } from '../../shared/scanning/engines/secrets/index.js'
import { listFiles } from '../../shared/scanning/source.js'
import { generateCorpus, writeCorpus } from '../fixtures/secrets/generate.js'
import { folderSource } from '../support/folder-source.js'

describe('shareOf', () => {
  const sizes = Array.from({ length: 500 }, (_, i) => ((i * 7919) % 1000) + (i % 50 === 0 ? 50_000 : 0))

  it('gives every item to exactly one shard, in order, in contiguous runs', () => {
    const items = [...sizes.keys()]
    for (const count of [1, 2, 3, 8, 64]) {
      const shares = Array.from({ length: count }, (_, index) => shareOf(items, (i) => sizes[i]!, { index, count }))
      expect(shares.flat()).toEqual(items)
      for (const share of shares) if (share.length) expect(share.at(-1)! - share[0]!).toBe(share.length - 1)
    }
  })

  it('cuts about equal bytes: no share holds more than its part and one item', () => {
    const total = sizes.reduce((a, b) => a + b, 0)
    const count = 4
    for (let index = 0; index < count; index++) {
      const share = shareOf(sizes, (size) => size, { index, count })
      expect(share.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(total / count + Math.max(...sizes))
    }
  })
})

/** The engine's findings over the source in `count` shards: each part, then the merge. */
async function inShards(engine: Engine, source: ScanSource, count: number): Promise<EngineFinding[]> {
  const parts: unknown[] = []
  // Through JSON, as parts travel between invocations.
  for (let index = 0; index < count; index++)
    parts.push(JSON.parse(JSON.stringify(await engine.sharded!.part(source, { index, count }))))
  return engine.sharded!.merge(source, parts)
}

const canonical = (findings: EngineFinding[]) => findings.map((finding) => JSON.stringify(finding)).sort()

describe('an engine in shards finds what it finds over the whole', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vega-shards-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('secrets: one finding per value however the files are cut, the same places and snippets', async () => {
    const corpus = writeCorpus(dir, generateCorpus())
    const files = [...corpus.files].map(([path, content]) => ({ path, size: Buffer.byteLength(content) }))
    const source = folderSource(dir, files)
    const engine = createSecretsEngine({ threads: 1 })
    const whole = await engine.run(source)
    expect(whole.length).toBeGreaterThan(50)
    for (const count of [2, 5]) expect(canonical(await inShards(engine, source, count))).toEqual(canonical(whole))
  })

  it('code: every file parsed by one shard', async () => {
    const root = join(import.meta.dirname, '../fixtures/code')
    const source = folderSource(root, listFiles(root))
    const whole = await codeEngine.run(source)
    expect(whole.length).toBeGreaterThan(20)
    expect(canonical(await inShards(codeEngine, source, 3))).toEqual(canonical(whole))
  })
})
