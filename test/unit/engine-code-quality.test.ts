// Recall and precision of the code rules per language over the labelled corpus (test/fixtures/code):
// a marked line found by its rule is a true positive, a marked line missed is a false negative, and
// any other finding (wrong rule, unmarked line, negative fixture) is a false positive.
import { rmSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { CodeLanguageName } from '../../shared/scanning/engines/code/index.js'
import { scanCorpus } from '../fixtures/code/corpus.js'

const minimumRecall = 0.95
const minimumPrecision = 0.9

interface Tally {
  truePositives: number
  falsePositives: number
  falseNegatives: number
}

describe('code rules quality', () => {
  it(`reaches ${minimumRecall * 100} % recall and ${minimumPrecision * 100} % precision in every language`, async () => {
    const { cases, findings, source } = await scanCorpus()
    rmSync(source.root, { recursive: true, force: true })
    const tallies = new Map<CodeLanguageName, Tally>()
    for (const c of cases) {
      const tally = tallies.get(c.language) ?? { truePositives: 0, falsePositives: 0, falseNegatives: 0 }
      tallies.set(c.language, tally)
      const found = findings.filter((finding) => finding.locations[0]!.path === c.path)
      const isExpected = (line: number, rule: string) => c.expected.some((e) => e.line === line && e.rule === rule)
      for (const finding of found) {
        if (isExpected(finding.locations[0]!.start_line, finding.rule_id)) tally.truePositives++
        else tally.falsePositives++
      }
      for (const expected of c.expected) {
        const hit = found.some((f) => f.locations[0]!.start_line === expected.line && f.rule_id === expected.rule)
        if (!hit) tally.falseNegatives++
      }
    }

    const rows = [...tallies].map(([language, { truePositives, falsePositives, falseNegatives }]) => ({
      language,
      truePositives,
      falsePositives,
      falseNegatives,
      recall: truePositives / (truePositives + falseNegatives),
      precision: truePositives / (truePositives + falsePositives),
    }))
    console.table(rows.map((row) => ({ ...row, recall: row.recall.toFixed(3), precision: row.precision.toFixed(3) })))

    expect(rows.map((row) => row.language).sort()).toEqual(['go', 'java', 'javascript', 'python', 'tsx', 'typescript'])
    for (const row of rows) {
      expect(row.truePositives, row.language).toBeGreaterThan(0)
      expect(row.recall, `${row.language} recall`).toBeGreaterThanOrEqual(minimumRecall)
      expect(row.precision, `${row.language} precision`).toBeGreaterThanOrEqual(minimumPrecision)
    }
  })
})
