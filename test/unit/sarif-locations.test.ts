import { describe, expect, it } from 'vitest'
import { toSarif } from '../../shared/findings/sarif.js'
import { validateSarif } from '../support/sarif-schema.js'

const place = (path: string, line: number) => ({ path, start_line: line, end_line: line, snippet: 'TOKEN=****' })

describe('SARIF for a finding in several places', () => {
  const finding = {
    engine: 'secrets',
    rule_id: 'github-token',
    severity: 'critical' as const,
    title: 'GitHub token',
    message: 'GitHub token (ghp_****) in 3 places.',
    cwe: ['CWE-798'],
    fix: 'Rotate it.',
    fingerprint: 'f'.repeat(64),
    locations: [place('a.sh', 1), place('a.sh', 3), place('docs/[setup].md', 9)],
  }
  const [result] = toSarif([finding], { version: 'test' }).runs[0]!.results

  it('keeps every place as a location and links the others from the message, as GitHub shows only the first', () => {
    expect(result!.locations.map((l) => l.physicalLocation.region.startLine)).toEqual([1, 3, 9])
    expect(result!.relatedLocations?.map((l) => l.id)).toEqual([1, 2])
    expect(result!.message.text).toBe(
      'GitHub token (ghp_****) in 3 places. Also at: [a.sh:3](1), [docs/\\[setup\\].md:9](2).',
    )
  })

  it('is valid SARIF 2.1.0', () => {
    const log = toSarif([finding], { version: 'test' })
    expect(validateSarif(log), JSON.stringify(validateSarif.errors)).toBe(true)
  })

  it('has no related locations for a finding in one place', () => {
    const [single] = toSarif([{ ...finding, locations: [place('a.sh', 1)] }], { version: 'test' }).runs[0]!.results
    expect(single).not.toHaveProperty('relatedLocations')
    expect(single!.message.text).toBe(finding.message)
  })
})
