// A git source writes to disk only the head files the code engine parses (and only those its memory does not
// already know clean); every other head file is read from the pack. The findings must be exactly those of a
// checkout that writes every file, as the worker did before (issue #21).
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { checkout, walkHistory } from '../../shared/git/checkout.js'
import { indexPack } from '../../shared/git/pack.js'
import type { Engine, EngineFinding, ScanSource } from '../../shared/scanning/engine.js'
import { codeEngine } from '../../shared/scanning/engines/code/index.js'
import { dependenciesEngine, memoryAdvisorySource } from '../../shared/scanning/engines/dependencies/index.js'
import { loadOsvRecords } from '../../shared/scanning/engines/dependencies/osv-files.js'
import { secretsEngine } from '../../shared/scanning/engines/secrets/index.js'
import { CleanBlobs } from '../../shared/scanning/reuse.js'
import { listFiles, prepareSource } from '../../shared/scanning/source.js'
import { osvDir } from '../support/dependency-fixtures.js'
import { commitAll, gitText, initRepo, packOf, removeTempDirs, tempDir, writeFiles } from '../support/git-fixtures.js'
import { unmistakable } from '../support/leaks.js'
import { commandInjectionJs, vulnerableLockfile } from '../support/sample-app.js'

afterAll(removeTempDirs)

const engines: Engine[] = [
  secretsEngine,
  codeEngine,
  dependenciesEngine(memoryAdvisorySource(await loadOsvRecords(osvDir))),
]

/** A lockfile with a vulnerable package the product imports, a code flaw, secrets in the head and the history. */
function repository() {
  const dir = initRepo()
  writeFiles(dir, {
    'config/old.env': `AWS_SECRET_ACCESS_KEY=${unmistakable(40)}\n`,
    'src/util.js': "import merge from 'lodash/merge'\nexport const combine = (a, b) => merge(a, b)\n",
    'src/clean.py': 'def add(a, b):\n    return a + b\n',
    'package-lock.json': vulnerableLockfile,
    'README.md': '# app\n',
  })
  commitAll(dir, 'first')
  writeFiles(dir, {
    'config/old.env': 'AWS_REGION=eu-west-1\n',
    'deploy.sh': `export STRIPE_KEY=sk_live_${unmistakable(30)}\n`,
    'app.js': commandInjectionJs,
  })
  commitAll(dir, 'second')
  return dir
}

/** The checkout every file is written by, its files listed from disk: the worker's input before issue #21. */
function fullCheckout(dir: string): ScanSource {
  const oid = gitText(dir, ['rev-parse', 'HEAD'])
  const index = indexPack(packOf(dir, 'HEAD'))
  const root = tempDir()
  const stats = checkout(index, oid, root)
  return {
    root,
    files: listFiles(root).map((file) => ({ ...file, oid: stats.oids.get(file.path) })),
    history: walkHistory(index, [oid]),
    readBlob: (blob) => index.read(blob).content,
    deadline: Number.POSITIVE_INFINITY,
  }
}

function lazyCheckout(dir: string, memory?: CleanBlobs) {
  const oid = gitText(dir, ['rev-parse', 'HEAD'])
  const refs = [{ ref: 'refs/heads/main', oid }]
  return prepareSource(packOf(dir, 'HEAD'), refs, 'main', tempDir(), Number.POSITIVE_INFINITY, { reuse: memory })
}

async function findingsOf(source: ScanSource): Promise<string[]> {
  const found: EngineFinding[] = []
  for (const engine of engines) found.push(...(await engine.run(source)))
  // In any order: the code engine's threads deliver files as they finish.
  return found.map((finding) => JSON.stringify(finding)).sort()
}

const written = (source: ScanSource, path: string) => existsSync(join(source.root, path))

describe('a git source written lazily', () => {
  it('lists every head file as a full checkout does and reads each one the same, written or not', async () => {
    const dir = repository()
    const full = fullCheckout(dir)

    const lazy = await lazyCheckout(dir)

    expect(lazy.files).toEqual(full.files)
    for (const file of lazy.files)
      expect(lazy.read?.(file.path), file.path).toEqual(readFileSync(join(full.root, file.path)))
    expect(lazy.files.filter((file) => written(lazy, file.path)).map((file) => file.path)).toEqual([
      'app.js',
      'src/clean.py',
      'src/util.js',
    ])
    expect(() => lazy.read?.('missing.txt')).toThrow(/not a file of the head/)
  })

  it('finds exactly what a full checkout finds, with every engine, on a first scan and with a memory', async () => {
    const dir = repository()
    const first = new CleanBlobs()
    const lazy = await lazyCheckout(dir, first)

    const found = await findingsOf(lazy)

    expect(found).toEqual(await findingsOf(fullCheckout(dir)))
    const parsed = found.map((text) => JSON.parse(text) as EngineFinding)
    expect(parsed.filter((f) => f.engine === 'secrets').map((f) => f.locations[0]?.path)).toEqual(
      expect.arrayContaining(['config/old.env', 'deploy.sh']),
    )
    expect(parsed.some((f) => f.engine === 'code' && f.locations[0]?.path === 'app.js')).toBe(true)
    expect(parsed.find((f) => f.engine === 'dependencies')?.metadata).toMatchObject({
      package: 'lodash',
      reachable: 'imported',
    })

    // One module changes; the clean sources the memory knows are not written, yet still read for imports.
    writeFiles(dir, { 'src/clean.py': 'def add(a, b):\n    return b + a\n' })
    commitAll(dir, 'third')
    const second = new CleanBlobs(first.serialize())
    const again = await lazyCheckout(dir, second)

    const foundAgain = await findingsOf(again)

    expect(foundAgain).toEqual(await findingsOf(fullCheckout(dir)))
    expect(again.files.filter((file) => written(again, file.path)).map((file) => file.path)).toEqual([
      'app.js',
      'src/clean.py',
    ])
    expect(second.figures.code).toMatchObject({ scanned_blobs: 2, reused_blobs: 1 })
    expect(foundAgain.some((text) => text.includes('"reachable":"imported"'))).toBe(true)
  })
})
