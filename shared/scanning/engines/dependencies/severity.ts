// An advisory's severity: the database's own word when it gives one (GitHub's database_specific.severity),
// else the CVSS v3 base score computed from the vector, in the CVSS bands; medium when the record says nothing.
import type { Severity } from '../../engine.js'
import type { OsvRecord } from './osv.js'

const databaseWords: Record<string, Severity> = {
  CRITICAL: 'critical',
  HIGH: 'high',
  MODERATE: 'medium',
  MEDIUM: 'medium',
  LOW: 'low',
}

const weights = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  CIA: { H: 0.56, L: 0.22, N: 0 },
} as const

/** CVSS v3.1's Roundup: the smallest one-decimal number at or above the input, free of float noise. */
function roundUp(value: number): number {
  const scaled = Math.round(value * 100_000)
  return scaled % 10_000 === 0 ? scaled / 100_000 : (Math.floor(scaled / 10_000) + 1) / 10
}

/** The CVSS v3.0/v3.1 base score of a vector like `CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H`. */
export function cvss3BaseScore(vector: string): number | undefined {
  if (!/^CVSS:3\.[01]\//.test(vector)) return undefined
  const metrics = Object.fromEntries(
    vector
      .split('/')
      .slice(1)
      .map((part) => part.split(':') as [string, string]),
  )
  const { AV, AC, PR, UI, S, C, I, A } = metrics
  const scopeChanged = S === 'C'
  const av = weights.AV[AV as keyof typeof weights.AV]
  const ac = weights.AC[AC as keyof typeof weights.AC]
  const ui = weights.UI[UI as keyof typeof weights.UI]
  const pr = { N: 0.85, L: scopeChanged ? 0.68 : 0.62, H: scopeChanged ? 0.5 : 0.27 }[PR ?? '']
  const [c, i, a] = [C, I, A].map((value) => weights.CIA[value as keyof typeof weights.CIA])
  if ([av, ac, ui, pr, c, i, a].some((weight) => weight === undefined) || (S !== 'U' && S !== 'C')) return undefined
  const iss = 1 - (1 - c!) * (1 - i!) * (1 - a!)
  const impact = scopeChanged ? 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 : 6.42 * iss
  const exploitability = 8.22 * av! * ac! * pr! * ui!
  if (impact <= 0) return 0
  return roundUp(Math.min(scopeChanged ? 1.08 * (impact + exploitability) : impact + exploitability, 10))
}

export function severityOfScore(score: number): Severity {
  if (score >= 9) return 'critical'
  if (score >= 7) return 'high'
  if (score >= 4) return 'medium'
  if (score > 0) return 'low'
  return 'info'
}

export function severityOf(record: OsvRecord): Severity {
  const word = record.database_specific?.severity?.toUpperCase()
  if (word && databaseWords[word]) return databaseWords[word]
  for (const entry of record.severity ?? []) {
    const score = /^\d+(\.\d+)?$/.test(entry.score) ? Number(entry.score) : cvss3BaseScore(entry.score)
    if (score !== undefined) return severityOfScore(score)
  }
  return 'medium'
}
