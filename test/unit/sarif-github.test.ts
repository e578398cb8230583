// #22 item 11, what GitHub code scanning reads of a SARIF export: the driver's semanticVersion, the run's
// automationDetails.id, rule names that are short PascalCase names (not the id again), and the cap of
// 25,000 results per run (the most severe kept, the run's properties saying it was truncated).
import { describe, expect, it } from 'vitest'
import { maxResultsPerRun, ruleNameOf, type SarifFinding, toSarif } from '../../shared/findings/sarif.js'
import type { Severity } from '../../shared/scanning/engine.js'
import { validateSarif } from '../support/sarif-schema.js'

const findingOf = (index: number, severity: Severity, rule_id = 'js-sql-injection'): SarifFinding => ({
  engine: 'code',
  rule_id,
  severity,
  title: 'SQL built from input',
  message: `finding ${index}`,
  cwe: ['CWE-89'],
  fix: 'Use parameters',
  fingerprint: index.toString(16).padStart(64, '0'),
  locations: [{ path: `src/f${index}.js`, start_line: 1, end_line: 1, snippet: 'db.query(x)' }],
})

describe('SARIF for GitHub', () => {
  it('names the driver semanticVersion, the run automationDetails.id and each rule by a PascalCase name', () => {
    const log = toSarif([findingOf(1, 'high'), findingOf(2, 'low', 'stripe_secret.key')], {
      version: '1.4.0',
      automationId: 'vega/repo_1/scan_1',
    })
    const [run] = log.runs

    expect(validateSarif(log), JSON.stringify(validateSarif.errors)).toBe(true)
    expect(run!.tool.driver.semanticVersion).toBe('1.4.0')
    expect(run!.automationDetails).toEqual({ id: 'vega/repo_1/scan_1' })
    expect(run!.tool.driver.rules.map((rule) => [rule.id, rule.name])).toEqual([
      ['js-sql-injection', 'JsSqlInjection'],
      ['stripe_secret.key', 'StripeSecretKey'],
    ])
    for (const rule of run!.tool.driver.rules) expect(rule.name).not.toBe(rule.id)
    expect(run).not.toHaveProperty('properties')
  })

  it('leaves semanticVersion out when the version is not one', () => {
    const [run] = toSarif([findingOf(1, 'high')], { version: 'test' }).runs

    expect(run!.tool.driver).not.toHaveProperty('semanticVersion')
    expect(ruleNameOf('0day')).toBe('Rule0day')
  })

  it(`writes at most ${maxResultsPerRun} results, the most severe first, and says it truncated`, () => {
    const severities: Severity[] = ['info', 'low', 'medium', 'high', 'critical']
    const findings = Array.from({ length: maxResultsPerRun + 5_000 }, (_, i) =>
      findingOf(i, severities[i % severities.length]!, `rule-${i % 7}`),
    )

    const [run] = toSarif(findings, { version: '1.0.0', automationId: 'vega/r/s' }).runs

    expect(run!.results).toHaveLength(maxResultsPerRun)
    expect(run!.properties).toEqual({ truncated: true, totalResults: 30_000, writtenResults: 25_000 })
    // 6,000 of each severity: critical, high, medium and low all fit (24,000), then the first 1,000 infos.
    const written = new Map<string, number>()
    for (const result of run!.results)
      written.set(result.properties.severity, (written.get(result.properties.severity) ?? 0) + 1)
    expect(Object.fromEntries(written)).toEqual({ critical: 6000, high: 6000, medium: 6000, low: 6000, info: 1000 })
    expect(run!.results[0]!.properties.severity).toBe('critical')
    expect(run!.results.at(-1)!.message.text).toBe(`finding ${5 * 999}`)
    for (const result of run!.results) expect(run!.tool.driver.rules[result.ruleIndex]!.id).toBe(result.ruleId)
  })
})
