// Policies and the CI gate: ordered rules whose first match decides each finding's effect (block, warn,
// ignore), with a default, after the policies of seeds/vectra-api.txt. A scan fails its gate when any
// finding it saw (and nobody dismissed) is blocked.
import { matchesGlob } from 'node:path'
import type { FindingRecord } from '../data/findings.js'
import type { Policy } from '../data/policies.js'
import type { GateResult } from '../data/scans.js'
import type { ScanId } from '../ids.js'
import { type Severity, severities } from '../scanning/engine.js'
import { normalisePath } from './fingerprint.js'

type Condition = Policy['rules'][number]['conditions'][number]

/** Without a policy of their own, scans fail on new critical or high findings and warn on the rest. */
export const defaultPolicy: Policy = {
  rules: [
    {
      name: 'block-new-critical-and-high',
      effect: 'block',
      conditions: [
        { field: 'severity', operator: 'gte', value: 'high' },
        { field: 'new', operator: 'eq', value: true },
      ],
    },
  ],
  default: 'warn',
}

/** Higher is worse: critical outranks high. */
const rank = (severity: Severity) => severities.length - severities.indexOf(severity)

function holds(condition: Condition, finding: FindingRecord, isNew: boolean): boolean {
  switch (condition.field) {
    case 'severity': {
      if (condition.operator === 'in') return condition.value.includes(finding.severity)
      const [have, want] = [rank(finding.severity), rank(condition.value)]
      return { eq: have === want, ne: have !== want, gte: have >= want, lte: have <= want }[condition.operator]
    }
    case 'engine':
    case 'rule':
    case 'status': {
      const actual = { engine: finding.engine, rule: finding.rule_id, status: finding.status }[condition.field]
      if (condition.operator === 'in') return condition.value.includes(actual)
      return condition.operator === 'eq' ? actual === condition.value : actual !== condition.value
    }
    case 'path': {
      const path = normalisePath(finding.path)
      return condition.operator === 'prefix' ? path.startsWith(condition.value) : matchesGlob(path, condition.value)
    }
    case 'context': {
      const actual = finding.context ?? 'none'
      if (condition.operator === 'in') return condition.value.includes(actual)
      return condition.operator === 'eq' ? actual === condition.value : actual !== condition.value
    }
    case 'reachable':
    case 'scope': {
      const actual = String(finding.metadata[condition.field] ?? 'unknown')
      return condition.operator === 'eq' ? actual === condition.value : actual !== condition.value
    }
    case 'new':
      return isNew === condition.value
  }
}

/** The effect and the rule that decided it (the default has no rule). */
export function effectOf(policy: Policy, finding: FindingRecord, isNew: boolean) {
  const rule = policy.rules.find((candidate) => candidate.conditions.every((c) => holds(c, finding, isNew)))
  return rule ? { effect: rule.effect, rule: rule.name } : { effect: policy.default, rule: '(default)' }
}

/** The gate of a scan over the findings it saw; dismissed findings never block. */
export function evaluateGate(
  policy: Policy,
  source: GateResult['policy'],
  seen: FindingRecord[],
  baseline: { scanId: ScanId | null; findingIds: Set<string> },
): GateResult {
  const fired = new Map<string, { rule: string; effect: Policy['default']; findings: number }>()
  for (const finding of seen) {
    if (finding.status === 'dismissed') continue
    const { effect, rule } = effectOf(policy, finding, !baseline.findingIds.has(finding.id))
    const entry = fired.get(rule) ?? { rule, effect, findings: 0 }
    entry.findings++
    fired.set(rule, entry)
  }
  // In the policy's order, the default last: the same scan always reads the same.
  const order = (rule: string) => {
    const index = policy.rules.findIndex((candidate) => candidate.name === rule)
    return index === -1 ? policy.rules.length : index
  }
  const rulesFired = [...fired.values()].sort((a, b) => order(a.rule) - order(b.rule))
  return {
    verdict: rulesFired.some((entry) => entry.effect === 'block') ? 'failed' : 'passed',
    rules_fired: rulesFired,
    policy: source,
    baseline_scan_id: baseline.scanId,
  }
}
