// The second layer: secretlint's recommended preset (MIT, precise, narrow), for formats our rules do not
// cover (Anthropic, OpenAI, Figma, Vault, Tailscale, basic auth...). Its rules for formats we do cover are
// off: on the labelled corpus they reported 18 placeholders, test keys and bad checksums that ours leave
// alone, and found nothing ours missed. Its findings become matches like ours, so they are deduplicated
// and redacted the same way; its messages (which hold the secret) are never kept.
import { lintSource } from '@secretlint/core'
import { creator as recommended } from '@secretlint/secretlint-rule-preset-recommend'
import { isMasked, isStandIn, type SecretMatch } from './matcher.js'
import type { SecretRule } from './rule.js'

/** `off`: ours only. `flagged`: on files holding a secret-ish word. `all`: every file (slow; see the benchmark). */
export type SecretlintMode = 'off' | 'flagged' | 'all'

export const coveredByOurRules = [
  'aws',
  'github',
  'gitlab',
  'slack',
  'stripe',
  'npm',
  'sendgrid',
  'privatekey',
  'gcp',
  'database-connection-string',
]

/** Words secretlint's remaining rules key on (any case): files without any are not worth its time. */
export const secretlintWords = [
  ...['sk-ant-', 'sk-proj-', 'sk-svcacct-', 'sk-admin-', 't3blbkfj', 'figd_', 'hvs.', 'hvb.', 'hvr.', 'tskey-'],
  ...['dapi', 'ops_', 'lin_api_', 'lin_oauth_', 'ntn_', 'secret_', 'shpat_', 'shpss_', 'shpca_', 'shppa_'],
  ...['glsa_', 'glc_', 'eyjrijoi', 'hf_', 'api_org_', 'gsk_', 'vercel', 'cloudflare', 'auths'],
]
/** Basic auth in a URL (`://user:pass@`), looked for in a file that holds `://`. */
const urlCredentials = /:\/\/[^\s/:@]+:[^\s/@]+@/

/** True when secretlint's remaining rules may find something in a text holding these words (and `://`). */
export const flagsSecretlint = (text: string, present: ReadonlySet<string>) =>
  secretlintWords.some((word) => present.has(word)) || (present.has('://') && urlCredentials.test(text))

// The preset's rules one by one, less ours: lintSource does not honour `disabled` inside a preset.
const covered = new Set(coveredByOurRules.map((name) => `@secretlint/secretlint-rule-${name}`))
const config = {
  rules: recommended.rules.filter((rule) => !covered.has(rule.meta.id)).map((rule) => ({ id: rule.meta.id, rule })),
}

const rulesById = new Map<string, SecretRule>()

function ruleFor(ruleId: string, title: string): SecretRule {
  return secretlintRule(`secretlint-${ruleId.replace(/^@secretlint\/secretlint-rule-/, '')}`, title)
}

/** The rule a secretlint finding reports under, by its id in Vega (`secretlint-<rule>`). */
export function secretlintRule(id: string, title: string): SecretRule {
  let rule = rulesById.get(id)
  if (!rule) {
    rule = {
      id,
      title,
      severity: 'high',
      cwe: ['CWE-798'],
      fix: 'Revoke the credential now and issue a new one; it stays in the git history. Load it at run time from a secret manager.',
      keywords: [],
      regex: /$^/,
    }
    rulesById.set(id, rule)
  }
  return rule
}

function lineAt(text: string, offset: number) {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1
  const next = text.indexOf('\n', offset)
  const lineEnd = next < 0 ? text.length : next
  let line = 1
  for (let at = text.indexOf('\n'); at >= 0 && at < offset; at = text.indexOf('\n', at + 1)) line++
  return { line, lineStart, text: text.slice(lineStart, lineEnd).replace(/\r$/, '') }
}

/** Secretlint's matches in a file, but none on a span our own rules already judged (found or refused). */
export async function secretlintMatches(
  text: string,
  path: string,
  judged: readonly { start: number; end: number }[] = [],
): Promise<SecretMatch[]> {
  const ext = path.includes('.') ? path.slice(path.lastIndexOf('.')) : ''
  const result = await lintSource({
    source: { filePath: `/${path}`, content: text, ext, contentType: 'text' },
    options: { config, maskSecrets: false, noPhysicFilePath: true },
  })
  const matches: SecretMatch[] = []
  for (const message of result.messages) {
    const fromData = Object.values(message.data ?? {}).find((v): v is string => typeof v === 'string' && v.length >= 8)
    const secret = fromData ?? text.slice(message.range[0], message.range[1])
    if (secret.length < 8) continue
    // secretlint's range can cover the assignment before the value; the value itself is what we point at:
    // the occurrence inside the range first (the same key on the next line is another place), else the
    // nearest one before it.
    const inside = text.indexOf(secret, message.range[0])
    const found =
      inside >= 0 && inside < message.range[1] ? inside : text.indexOf(secret, Math.max(0, message.range[0] - 256))
    const start = found >= 0 ? found : message.range[0]
    const end = start + secret.length
    if (judged.some((span) => start < span.end && span.start < end)) continue
    const title = message.message.split(':')[0]!.replace(/^found\s+/i, '')
    const at = lineAt(text, start)
    matches.push({
      // secretlint's rules judge their own placeholders; what still reads as a stand-in is reported low.
      ...(isStandIn(secret) || isMasked(secret) ? { example: true as const } : {}),
      rule: ruleFor(message.ruleId, title.includes(secret) ? message.ruleId : title),
      secret,
      value: secret,
      start,
      end,
      startLine: at.line,
      endLine: at.line + (secret.match(/\n/g)?.length ?? 0),
      line: at.text,
      column: start - at.lineStart,
    })
  }
  return matches
}
