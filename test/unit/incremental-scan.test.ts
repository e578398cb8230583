// Incremental scanning over real git repositories: a second scan with the first one's memory of clean
// blobs reads only what changed and what holds findings, and finds exactly what a full scan finds.
import { afterAll, describe, expect, it } from 'vitest'
import { type Engine, type EngineFinding, engineNames } from '../../shared/scanning/engine.js'
import { type EngineVersions, engineVersions } from '../../shared/scanning/engine-versions.js'
import { codeEngine } from '../../shared/scanning/engines/code/index.js'
import { secretsEngine } from '../../shared/scanning/engines/secrets/index.js'
import { CleanBlobs, KnownFindings } from '../../shared/scanning/reuse.js'
import { prepareSource } from '../../shared/scanning/source.js'
import { commitAll, gitText, initRepo, packOf, removeTempDirs, tempDir, writeFiles } from '../support/git-fixtures.js'
import { unmistakable } from '../support/leaks.js'
import { commandInjectionJs } from '../support/sample-app.js'

afterAll(removeTempDirs)

const engines: Engine[] = [secretsEngine, codeEngine]

/** Clean modules: plain code no rule has anything to say about. */
const cleanModules = (count: number, seed = 0) =>
  Object.fromEntries(
    Array.from({ length: count }, (_, i) => [
      `src/module-${i}.js`,
      `export function add${i}(a, b) {\n  return a + b + ${i + seed}\n}\n`,
    ]),
  )

async function scan(dir: string, memory?: CleanBlobs): Promise<EngineFinding[]> {
  const head = packOf(dir, 'HEAD')
  const oid = gitText(dir, ['rev-parse', 'HEAD'])
  const source = await prepareSource(
    head,
    [{ ref: 'refs/heads/main', oid }],
    'main',
    tempDir(),
    Number.POSITIVE_INFINITY,
  )
  source.reuse = memory
  const found: EngineFinding[] = []
  for (const engine of engines) found.push(...(await engine.run(source)))
  return found
}

/** A repository with a secret left in its history, one in its head, a code flaw and twenty clean modules. */
function repository() {
  const dir = initRepo()
  writeFiles(dir, { 'config/old.env': `AWS_SECRET_ACCESS_KEY=${unmistakable(40)}\n`, ...cleanModules(20) })
  commitAll(dir, 'first')
  writeFiles(dir, {
    'config/old.env': 'AWS_REGION=eu-west-1\n',
    'deploy.sh': `export STRIPE_KEY=sk_live_${unmistakable(30)}\n`,
    'app.js': commandInjectionJs,
  })
  commitAll(dir, 'second')
  return dir
}

/** The memory the next scan of the repository starts from: what `keepForNextScan` saves and loads. */
function kept(memory: CleanBlobs, versions: EngineVersions = engineVersions): CleanBlobs {
  const next = new CleanBlobs(memory.serialize(), versions)
  next.findings = new KnownFindings(memory.findings.serialize())
  return next
}

describe('incremental scans', () => {
  it('reads again only the changed blobs and those with findings, and finds what a full scan finds', async () => {
    const dir = repository()
    const first = new CleanBlobs()
    const full = await scan(dir, first)
    expect(
      full
        .filter((f) => f.engine === 'secrets')
        .map((f) => f.locations[0]?.path)
        .sort(),
    ).toEqual(['config/old.env', 'deploy.sh'])
    expect(full.some((f) => f.engine === 'code' && f.locations[0]?.path === 'app.js')).toBe(true)
    expect(first.figures.secrets).toMatchObject({ reused_blobs: 0 })
    expect(first.figures.code).toMatchObject({ reused_blobs: 0, scanned_blobs: 21 })

    // One module changes and gains a flaw.
    writeFiles(dir, { 'src/module-3.js': 'export const run = (req) => eval(req.query.code)\n' })
    commitAll(dir, 'third')
    const second = kept(first)
    const incremental = await scan(dir, second)
    const fromScratch = await scan(dir)

    // In any order: the code engine's threads deliver files as they finish.
    const sorted = (findings: EngineFinding[]) => findings.map((f) => JSON.stringify(f)).sort()
    expect(sorted(incremental)).toEqual(sorted(fromScratch))
    expect(incremental.some((f) => f.locations[0]?.path === 'src/module-3.js')).toBe(true)
    // Code: only the changed module is read; the 19 other modules are known clean, app.js's findings known.
    expect(second.figures.code).toMatchObject({ scanned_blobs: 1, reused_blobs: 20 })
    // Secrets: the two blobs holding secrets and the new blob are read; every other blob of the history is not.
    expect(second.figures.secrets?.scanned_blobs).toBe(3)
    expect(second.figures.secrets?.reused_blobs).toBeGreaterThanOrEqual(20)
  })

  it('a new version of one engine forgets what that engine found, and only that', async () => {
    const dir = repository()
    const first = new CleanBlobs()
    await scan(dir, first)
    const newSecrets = kept(first, { ...engineVersions, secrets: 'another-version' })
    await scan(dir, newSecrets)
    expect(newSecrets.figures.secrets?.reused_blobs).toBe(0)
    expect(newSecrets.figures.code?.reused_blobs).toBe(21)
    const newCode = kept(first, { ...engineVersions, code: { ...engineVersions.code, javascript: 'another-version' } })
    await scan(dir, newCode)
    expect(newCode.figures.code).toMatchObject({ reused_blobs: 0, scanned_blobs: 21 })
  })

  it("a new version of one family of code rules forgets that family's files, and only those", async () => {
    const dir = repository()
    writeFiles(dir, { 'tools/report.py': 'def total(rows):\n    return sum(rows)\n' })
    commitAll(dir, 'a Python tool')
    const first = new CleanBlobs()
    await scan(dir, first)
    expect(first.figures.code).toMatchObject({ reused_blobs: 0, scanned_blobs: 22 })

    const newPython = kept(first, { ...engineVersions, code: { ...engineVersions.code, python: 'another-version' } })
    await scan(dir, newPython)
    expect(newPython.figures.code).toMatchObject({ reused_blobs: 21, scanned_blobs: 1 })
    const newJavascript = kept(first, {
      ...engineVersions,
      code: { ...engineVersions.code, javascript: 'another-version' },
    })
    await scan(dir, newJavascript)
    expect(newJavascript.figures.code).toMatchObject({ reused_blobs: 1, scanned_blobs: 21 })
  })

  it('keeps code findings apart from what a scan does with them, and reads a damaged memory as empty', async () => {
    const dir = repository()
    const first = new CleanBlobs()
    const full = await scan(dir, first)
    for (const finding of full) finding.severity = 'info'
    const again = await scan(dir, kept(first))
    expect(again.filter((f) => f.engine === 'code').every((f) => f.severity !== 'info')).toBe(true)

    const damaged = new CleanBlobs(first.serialize())
    damaged.findings = new KnownFindings(Buffer.from('not gzip'))
    await scan(dir, damaged)
    expect(damaged.figures.code).toMatchObject({ scanned_blobs: 1, reused_blobs: 20 })
  })

  it('a blob is clean at its path: the same content under a new path is read again', async () => {
    const dir = repository()
    const first = new CleanBlobs()
    await scan(dir, first)
    writeFiles(dir, { 'lib/copy.js': cleanModules(1)['src/module-0.js']! })
    commitAll(dir, 'a copy')
    const second = new CleanBlobs(first.serialize())
    await scan(dir, second)
    expect(second.figures.code).toMatchObject({ scanned_blobs: 2, reused_blobs: 20 })
  })

  it('keeps what the latest scan used first when the memory is full', () => {
    const memory = new CleanBlobs()
    for (let i = 0; i < 5; i++) memory.remember('secrets', `${i}`.repeat(40), 'a.txt')
    const next = new CleanBlobs(memory.serialize())
    expect(next.reuse('secrets', '4'.repeat(40), 'a.txt', 10)).toBe(true)
    const kept = new CleanBlobs(next.serialize(2))
    expect(kept.reuse('secrets', '4'.repeat(40), 'a.txt', 10)).toBe(true)
    expect(['0', '1', '2', '3'].filter((digit) => kept.reuse('secrets', digit.repeat(40), 'a.txt', 1))).toHaveLength(1)
    expect(next.serialize().length).toBe(5 * 16)
  })

  it('only the engines that read blobs keep a memory', () => {
    expect(Object.keys(engineVersions).sort()).toEqual(engineNames.filter((name) => name !== 'dependencies').sort())
  })
})
