// The secrets engine on worker threads finds exactly what it finds on one thread: the same findings in
// the same order, the same figures, whatever order the threads answer in. On its own thread (the
// default) it lets the event loop run while it reads, so the code engine's answers are not held up.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { scanSecrets } from '../../shared/scanning/engines/secrets/index.js'
import { CleanBlobs } from '../../shared/scanning/reuse.js'
import { prepareFolderSource, prepareSource } from '../../shared/scanning/source.js'
import { commitAll, initRepo, packOf, removeTempDirs, tempDir } from '../support/git-fixtures.js'
import { unmistakable } from '../support/leaks.js'

const root = mkdtempSync(join(tmpdir(), 'vega-secrets-threads-'))
afterAll(() => {
  rmSync(root, { recursive: true, force: true })
  removeTempDirs()
})

/** ~12 MB over 200 files (past the size where threads start), secrets of both layers in some of them. */
function tree() {
  const shared = `sk_live_${unmistakable(30)}`
  const filler = Array.from({ length: 1500 }, (_, i) => `const value${i} = compute(${i}, "text ${i}")`).join('\n')
  for (let i = 0; i < 200; i++) {
    const dir = join(root, `pkg-${i % 10}`)
    mkdirSync(dir, { recursive: true })
    const lines = [`// file ${i}`, filler]
    if (i % 17 === 0) lines.push(`STRIPE_KEY=${shared}`)
    if (i % 23 === 0) lines.push(`AWS_SECRET_ACCESS_KEY=${unmistakable(40)}`)
    if (i % 31 === 0) lines.push(`TS_KEY=tskey-api-${unmistakable(12)}-${unmistakable(27)}`)
    if (i % 41 === 0) lines.push(`db_password = "${unmistakable(16)}"`)
    writeFileSync(join(dir, `file-${i}.env`), lines.join('\n'))
  }
  return prepareFolderSource(root, Number.POSITIVE_INFINITY)
}

describe('secrets on threads', () => {
  it('finds what one thread finds, in the same order', async () => {
    const source = tree()
    const one = await scanSecrets(source, { threads: 1 })
    const two = await scanSecrets(source, { threads: 2 })
    expect(one.findings.length).toBeGreaterThanOrEqual(4)
    expect(one.findings.some((finding) => finding.metadata.detector === 'secretlint')).toBe(true)
    expect(one.findings.find((finding) => finding.rule_id.startsWith('stripe'))?.metadata.occurrences).toBe(12)
    expect(two.findings).toEqual(one.findings)
    expect(two.stats).toEqual({ ...one.stats, threads: 2 })
    expect(one.stats.threads).toBe(1)
  }, 60_000)

  it('starts threads for what it reads, not for what the memory knows clean', async () => {
    const repo = initRepo()
    const folder = tree()
    for (const file of folder.files) {
      mkdirSync(join(repo, file.path, '..'), { recursive: true })
      writeFileSync(join(repo, file.path), readFileSync(join(root, file.path)))
    }
    const head = commitAll(repo, 'the tree')
    const scanOf = async (memory: CleanBlobs) => {
      const source = await prepareSource(
        packOf(repo),
        [{ ref: 'refs/heads/main', oid: head }],
        'main',
        tempDir(),
        Infinity,
        {
          reuse: memory,
        },
      )
      return scanSecrets({ ...source, reuse: memory }, { threads: 2 })
    }
    const memory = new CleanBlobs()
    const first = await scanOf(memory)
    const again = await scanOf(new CleanBlobs(memory.serialize()))

    expect(first.stats.threads).toBe(2)
    expect(again.stats.threads).toBe(1)
    expect(again.findings).toEqual(first.findings)
  }, 60_000)

  it('reading on its own thread, lets the event loop run every few milliseconds', async () => {
    // Lines every password rule reads: a scan long enough to show how long the event loop waits.
    const busy = mkdtempSync(join(tmpdir(), 'vega-secrets-busy-'))
    const lines = Array.from({ length: 3000 }, (_, i) => `password_${i} = get_password("user ${i}") # token`)
    for (let i = 0; i < 300; i++) writeFileSync(join(busy, `settings-${i}.py`), lines.join('\n'))
    const source = prepareFolderSource(busy, Number.POSITIVE_INFINITY)
    let longestGap = 0
    let last = performance.now()
    let reading = true
    const tick = () => {
      const now = performance.now()
      longestGap = Math.max(longestGap, now - last)
      last = now
      if (reading) setImmediate(tick)
    }
    setImmediate(tick)
    const started = performance.now()
    const scan = await scanSecrets(source)
    const took = performance.now() - started
    reading = false
    longestGap = Math.max(longestGap, performance.now() - last)
    rmSync(busy, { recursive: true, force: true })

    expect(scan.stats.threads).toBe(1)
    // Sure to be seen: the scan of 12 MB takes far longer than the longest wait it allows.
    expect(took).toBeGreaterThan(300)
    expect(longestGap).toBeLessThan(100)
  }, 60_000)
})
