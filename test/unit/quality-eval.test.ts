// Detection quality on code nobody here wrote: the team's labelled eval kit (../shared/eval), scored by
// the kit's own scripts. The floors sit just under the figures measured when they were set and only move up.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { codeEngine } from '../../shared/scanning/engines/code/index.js'
import { secretsEngine } from '../../shared/scanning/engines/secrets/index.js'
import { scanToSarif, score, scratch, unpacked } from '../support/eval-kit.js'

const secretTrees = [
  'juice-shop-60f29bc1',
  'postman-collection-transformer',
  'request',
  'jose',
  'tesla-api',
  'secretlint-fixtures',
]

describe('detection quality on the public eval set', () => {
  it('secrets: CredData recall and precision, secretlint fixture lines', async () => {
    const trees = unpacked('trees.tgz')
    const out = scratch('secrets')
    for (const tree of secretTrees) await scanToSarif(join(trees, tree), [secretsEngine], join(out, `${tree}.sarif`))

    const report = score('score.mjs', ['--labels', 'public', '--sarif', out, '--trees', trees])
    const [, recall, precision] = /recall ([\d.]+) precision ([\d.]+)\s*$/.exec(report) ?? []
    const [, linesHit, okClean, okFiles] =
      /\| all \d+ rules \| (\d+)\/96 \|[^|]*\|[^|]*\| (\d+)\/(\d+) \|/.exec(report) ?? []

    expect(Number(recall), report).toBeGreaterThanOrEqual(0.86)
    expect(Number(precision), report).toBeGreaterThanOrEqual(0.98)
    expect(Number(linesHit), report).toBeGreaterThanOrEqual(90)
    expect(Number(okClean), report).toBe(Number(okFiles))
  }, 120_000)

  it('code: OWASP Benchmark for Python (odd half), average Youden and the categories it tells apart', async () => {
    const tree = join(unpacked('benchmark-python.tgz'), 'BenchmarkPython')
    const sarif = join(scratch('benchmark-python'), 'vega.sarif')
    await scanToSarif(tree, [codeEngine], sarif)

    const report = score('benchmark-python.mjs', [tree, sarif])
    const youden = (category: string) =>
      Number(new RegExp(`\\| ${category} \\|.*\\| (-?[\\d.]+) \\|`).exec(report)?.[1])

    expect(Number(/average Youden (-?[\d.]+)/.exec(report)?.[1]), report).toBeGreaterThanOrEqual(0.75)
    for (const category of ['hash', 'weakrand', 'securecookie'])
      expect(youden(category), report).toBeGreaterThanOrEqual(0.95)
    // Every category the benchmark has is told apart at least this well (the floor).
    for (const category of [
      'cmdi',
      'codeinj',
      'deserialization',
      'ldapi',
      'pathtraver',
      'redirect',
      'sqli',
      'trustbound',
      'xpathi',
      'xss',
      'xxe',
    ])
      expect(youden(category), `${category}\n${report}`).toBeGreaterThanOrEqual(0.5)
  }, 120_000)

  it('code: juice-shop vulnerable lines and its codefix variants (vulnerable flagged, fixed left alone)', async () => {
    const trees = unpacked('trees.tgz')
    const out = scratch('juice-shop-sast')
    await scanToSarif(join(trees, 'juice-shop-33518f5a'), [codeEngine], join(out, 'juice-shop-33518f5a.sarif'))

    const report = score('score.mjs', ['--labels', 'public', '--sarif', out, '--trees', trees])
    const [, linesNear] = /\| vuln-code-snippet lines \| 27 \| \d+\/27 \| (\d+)\/27 \|/.exec(report) ?? []
    const [, vulnerable, fixed] = /\| all \| (\d+)\/67 \|[^|]*\| (\d+)\/25 \|/.exec(report) ?? []

    expect(Number(linesNear), report).toBeGreaterThanOrEqual(14)
    expect(Number(vulnerable), report).toBeGreaterThanOrEqual(39)
    expect(Number(fixed), report).toBeLessThanOrEqual(4)
  }, 120_000)
})
