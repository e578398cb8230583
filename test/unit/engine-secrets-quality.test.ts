import { describe, expect, it } from 'vitest'
import { measure, qualityTable, scanCorpus } from '../fixtures/secrets/quality.js'

// The bar for every engine: recall ≥ 95 % and precision ≥ 90 % over the labelled corpus.
describe('secrets engine quality over the labelled corpus', () => {
  it.each(['off', 'flagged'] as const)(
    'meets the recall and precision floors with the secretlint layer %s',
    async (secretlint) => {
      const quality = measure(await scanCorpus({ secretlint }))

      expect(quality.total.recall, qualityTable(quality)).toBeGreaterThanOrEqual(0.95)
      expect(quality.total.precision, qualityTable(quality)).toBeGreaterThanOrEqual(0.9)
      for (const row of quality.rules.filter((r) => r.positives > 0))
        expect(row.recall, `${row.rule}\n${qualityTable(quality)}`).toBeGreaterThanOrEqual(0.95)
    },
  )
})
