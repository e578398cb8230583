// SARIF 2.1.0, the format GitHub code scanning and most tools read: one run, Vega as the tool, one rule per
// rule id seen, one result per finding with its fingerprint as a partial fingerprint. Snippets are
// already redacted by the engines; nothing else of a secret is written.
import type { EngineFinding, FindingContext, FindingLocation, FlowStep, Severity } from '../scanning/engine.js'

/** A finding as SARIF writes it: an engine's finding with its fingerprint, or a stored one. */
export interface SarifFinding
  extends Pick<EngineFinding, 'rule_id' | 'severity' | 'title' | 'message' | 'cwe' | 'fix' | 'locations'> {
  engine: string
  fingerprint: string
  /** Test, example, docs, vendored or build material: written as `properties.context` of the result. */
  context?: FindingContext | null
  /** A data-flow finding's steps, source first: written as the result's `codeFlows`. */
  flow?: FlowStep[] | null
  /** For a stored finding: dismissed findings are written with a suppression and its justification. */
  status?: 'open' | 'fixed' | 'dismissed'
  justification?: string
  /** Against a baseline scan: `new`, `unchanged` (or `absent` for a finding the baseline had). */
  baseline_state?: 'new' | 'unchanged' | 'updated' | 'absent'
}

const levels: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
}

/** GitHub ranks security results by this score (CVSS-like, as a string). */
const securitySeverity: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '0.0',
}

const cweTag = (cwe: string) => `external/cwe/${cwe.toLowerCase()}`

function physical(location: FindingLocation) {
  return {
    physicalLocation: {
      artifactLocation: { uri: encodeURI(location.path), uriBaseId: '%SRCROOT%' },
      region: {
        startLine: Math.max(1, location.start_line),
        endLine: Math.max(1, location.end_line, location.start_line),
        ...(location.snippet ? { snippet: { text: location.snippet } } : {}),
      },
    },
    ...(location.commit ? { properties: { commit: location.commit } } : {}),
  }
}

/** One thread flow from the source to the sink, each step with its line, code and what happens there. */
function codeFlowsOf(flow: FlowStep[]) {
  return [
    {
      message: { text: `${flow[0]!.note} → ${flow[flow.length - 1]!.note}` },
      threadFlows: [
        {
          locations: flow.map((step, index) => ({
            location: {
              physicalLocation: {
                artifactLocation: { uri: encodeURI(step.path), uriBaseId: '%SRCROOT%' },
                region: {
                  startLine: Math.max(1, step.line),
                  ...(step.snippet ? { snippet: { text: step.snippet } } : {}),
                },
              },
              message: { text: step.note },
            },
            kinds: [index === 0 ? 'source' : index === flow.length - 1 ? 'sink' : 'pass-through'],
            nestingLevel: 0,
            executionOrder: index + 1,
          })),
        },
      ],
    },
  ]
}

/** The message, and for a finding in several places a link to each of the others (SARIF embedded links). */
function messageWithPlaces(finding: SarifFinding): string {
  const others = finding.locations.slice(1)
  if (!others.length) return finding.message
  const escapeLinkText = (text: string) => text.replace(/[[\]\\]/g, (char) => `\\${char}`)
  const links = others.map(
    (location, index) => `[${escapeLinkText(location.path)}:${location.start_line}](${index + 1})`,
  )
  return `${finding.message} Also at: ${links.join(', ')}.`
}

/** GitHub code scanning takes at most this many results per run; past it an upload is refused. */
export const maxResultsPerRun = 25_000

const severityRank: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 }

/**
 * A rule's `name`: a PascalCase short name from its id (`js-sql-injection` → `JsSqlInjection`), as SARIF
 * and GitHub expect of `name` (an identifier, not the id again and not a sentence).
 */
export function ruleNameOf(ruleId: string): string {
  const words = ruleId.split(/[^A-Za-z0-9]+/).filter(Boolean)
  const name = words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join('')
  return /^[A-Za-z]/.test(name) ? name : `Rule${name}`
}

/** The part of a version SARIF's `semanticVersion` takes (Semantic Versioning 2.0.0), if there is one. */
const semanticOf = (version: string) =>
  /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.test(version) ? version : undefined

export interface SarifOptions {
  version: string
  uri?: string
  /**
   * `runs[0].automationDetails.id`: `<category>/<run id>`. GitHub keeps one analysis per category, so
   * the category must stay the same from scan to scan of one repository.
   */
  automationId?: string
}

/**
 * One run of findings. Past GitHub's 25,000 results per run the most severe 25,000 are written (ties in
 * the order given), and the run's properties say so: `truncated: true`, `totalResults`, `writtenResults`.
 */
export function toSarif(all: SarifFinding[], tool: SarifOptions) {
  const truncated = all.length > maxResultsPerRun
  const findings = truncated
    ? all
        .map((finding, index) => ({ finding, index }))
        .sort((a, b) => severityRank[a.finding.severity] - severityRank[b.finding.severity] || a.index - b.index)
        .slice(0, maxResultsPerRun)
        .map(({ finding }) => finding)
    : all
  const rules = new Map<string, SarifFinding>()
  for (const finding of findings) if (!rules.has(finding.rule_id)) rules.set(finding.rule_id, finding)
  const semanticVersion = semanticOf(tool.version)
  const ruleIndex = new Map([...rules.keys()].map((id, index) => [id, index]))
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0' as const,
    runs: [
      {
        tool: {
          driver: {
            name: 'Vega',
            version: tool.version,
            ...(semanticVersion ? { semanticVersion } : {}),
            informationUri: tool.uri ?? 'https://vega.example.com/docs',
            rules: [...rules.values()].map((rule) => ({
              id: rule.rule_id,
              name: ruleNameOf(rule.rule_id),
              shortDescription: { text: rule.title },
              fullDescription: { text: rule.title },
              help: { text: rule.fix, markdown: rule.fix },
              defaultConfiguration: { level: levels[rule.severity] },
              properties: {
                tags: ['security', rule.engine, ...rule.cwe.map(cweTag)],
                'security-severity': securitySeverity[rule.severity],
                engine: rule.engine,
              },
            })),
          },
        },
        ...(tool.automationId ? { automationDetails: { id: tool.automationId } } : {}),
        // Paths are relative to the repository root.
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The root of the scanned repository' } } },
        results: findings.map((finding) => ({
          ruleId: finding.rule_id,
          ruleIndex: ruleIndex.get(finding.rule_id)!,
          level: levels[finding.severity],
          message: { text: messageWithPlaces(finding) },
          locations: finding.locations.map(physical),
          // GitHub shows a result at its first location only: the other places are related locations,
          // linked from the message, so each of them is one click away.
          ...(finding.locations.length > 1
            ? {
                relatedLocations: finding.locations
                  .slice(1)
                  .map((location, index) => ({ id: index + 1, ...physical(location) })),
              }
            : {}),
          ...(finding.flow?.length ? { codeFlows: codeFlowsOf(finding.flow) } : {}),
          partialFingerprints: { 'vega/v1': finding.fingerprint },
          ...(finding.baseline_state ? { baselineState: finding.baseline_state } : {}),
          ...(finding.status === 'dismissed'
            ? {
                suppressions: [
                  {
                    kind: 'external' as const,
                    status: 'accepted' as const,
                    ...(finding.justification ? { justification: finding.justification } : {}),
                  },
                ],
              }
            : {}),
          properties: {
            engine: finding.engine,
            severity: finding.severity,
            ...(finding.context ? { context: finding.context } : {}),
          },
        })),
        ...(truncated
          ? { properties: { truncated: true, totalResults: all.length, writtenResults: findings.length } }
          : {}),
      },
    ],
  }
}
