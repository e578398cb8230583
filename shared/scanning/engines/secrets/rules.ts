// Vega's secret rules, as data. Facts (prefixes, lengths, keywords, entropy floors, placeholders) were
// checked against gitleaks' config/gitleaks.toml and the vendors' published formats; the rules are our own.
// Order is priority: when two rules match overlapping text in a file, the earlier rule keeps it (a
// GitHub token assigned to `password =` is a GitHub token, not a generic password).
import { crc32 } from 'node:zlib'
import { isWellFormedApiKey } from '../../../crypto/api-key-format.js'
import { isSignedJwt } from './jwt.js'
import { keyedValueRegex, looksLikeCredential } from './keyed-values.js'
import {
  defaultPasswordRule,
  isDefaultPassword,
  markupPasswordRule,
  passphraseRule,
  passwordRules,
  passwordStandIns,
  sessionCookieRule,
  totpSecretRule,
} from './passwords.js'
import { pemBody, providerRules } from './provider-rules.js'
import type { SecretRule } from './rule.js'

const base62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/**
 * GitHub's classic tokens and npm's tokens end in the CRC32 of their 30 random characters, in 6 base62
 * digits (github.blog, 2021-04-05, "Behind GitHub's new authentication token formats"). A typo or an
 * invented token fails it.
 */
export function hasBase62Crc32(token: string, prefixLength: number): boolean {
  const body = token.slice(prefixLength)
  if (body.length !== 36) return false
  let checksum = 0
  for (const char of body.slice(30)) {
    const digit = base62.indexOf(char)
    if (digit < 0) return false
    checksum = checksum * 62 + digit
  }
  return checksum === crc32(body.slice(0, 30))
}

const cwe = ['CWE-798']

/** `user:password` from a URL: a password that is not the user name again, a placeholder or a variable. */
function isUrlPassword(userAndPassword: string): boolean {
  const at = userAndPassword.indexOf(':')
  const user = userAndPassword.slice(0, at)
  const password = userAndPassword.slice(at + 1)
  if (password === user || password.length < 4 || /^(.)\1+$/.test(password)) return false
  if (passwordStandIns.has(password.toLowerCase())) return false
  if (/[$%{}<>]|\*{3}|^x+$|^[A-Z]+(?:_[A-Z]+)+$/.test(password)) return false // ${VAR}, $(VAR), {x}, <x>, ***, YOUR_PASSWORD
  return !placeholderWords.some((word) => password.toLowerCase().includes(word))
}
const rotate = (what: string) =>
  `Revoke the ${what} now and issue a new one; it stays in the git history. Load it at run time from a secret manager or an environment variable.`

/** Values that are placeholders, not secrets: gitleaks' global allowlist, in our words. */
export const placeholderValues: RegExp[] = [
  /^(?:true|false|null|none|undefined)$/i,
  /(.)\1{5,}/, // xxxxxx, 000000, ******
  /^\$\{?[\w.-]+\}?$/, // $VAR, ${VAR}
  /^\$\{\{[^}]*\}\}$/, // ${{ secrets.X }}
  /\{\{[^}]*\}\}/, // {{ template }}
  /^%[\w.-]+%$/, // %VAR%
  /<[^>]{1,60}>/, // <your-key>
  /^\[?[A-Z]+(?:_[A-Z]+)+\]?$/, // YOUR_KEY_HERE, [API_KEY]
]

/** Words that mark a documented example or a placeholder wherever they appear in a value. */
export const placeholderWords = [
  'example',
  'sample',
  'dummy',
  'placeholder',
  'changeme',
  'change_me',
  'redacted',
  'your_',
  'your-',
  'yourkey',
  'yourtoken',
  'insert',
  'replace',
  'fake',
  'notreal',
  'not_real',
]

// Aligned assignments (Terraform, YAML) pad with any number of spaces; nothing after them can backtrack.
const assignment = String.raw`[\w.-]{0,20}["']?[ \t]*(?::=|=>|=|:)[ \t]*[\x60'"]?`

export const rules: SecretRule[] = [
  {
    id: 'vega-api-key',
    title: 'Vega API key',
    severity: 'critical',
    cwe,
    fix: 'Vega revokes a leaked key as soon as a scan finds it: create a new key and load it from a secret store, never from the repository.',
    keywords: ['vgk_'],
    regex: /\b(vgk_[0-9A-Za-z]{36})\b/,
    check: isWellFormedApiKey,
  },
  {
    id: 'aws-access-key-id',
    title: 'AWS access key ID',
    severity: 'high',
    cwe,
    fix: rotate('AWS access key in IAM'),
    keywords: ['akia', 'asia', 'abia', 'acca', 'a3t'],
    regex: /\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b/,
    entropy: 3,
    allow: { values: [/EXAMPLE$/] },
  },
  {
    id: 'aws-secret-access-key',
    title: 'AWS secret access key',
    severity: 'critical',
    cwe,
    fix: rotate('AWS access key in IAM'),
    keywords: ['secret_access_key', 'secretaccesskey', 'secret-access-key', 'aws_secret', 'aws_secret_key'],
    regex: new RegExp(
      `(?i:secret[_-]?access[_-]?key|aws[_-]?secret(?:[_-]?key)?)${assignment}([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])`,
    ),
    entropy: 4,
    allow: { values: [/EXAMPLEKEY$/] },
  },
  {
    id: 'github-token',
    title: 'GitHub token (classic, OAuth, app or refresh)',
    severity: 'high',
    cwe,
    fix: rotate('GitHub token in Settings › Developer settings'),
    keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'],
    regex: /\b(gh[pousr]_[0-9A-Za-z]{36})\b/,
    entropy: 3,
    check: (token) => hasBase62Crc32(token, 4),
  },
  {
    id: 'github-fine-grained-token',
    title: 'GitHub fine-grained personal access token',
    severity: 'high',
    cwe,
    fix: rotate('GitHub token in Settings › Developer settings'),
    keywords: ['github_pat_'],
    regex: /\b(github_pat_[0-9A-Za-z]{22}_[0-9A-Za-z]{59})\b/,
    entropy: 4,
  },
  {
    id: 'gitlab-token',
    title: 'GitLab personal, deploy, runner or trigger token',
    severity: 'high',
    cwe,
    fix: rotate('GitLab token'),
    keywords: ['glpat-', 'gldt-', 'glrt-', 'glptt-', 'gr1348941'],
    regex:
      /(?<![\w-])((?:glpat|gldt|glrt)-[0-9A-Za-z_-]{20}(?:[0-9A-Za-z_-]{7,280}\.[0-9a-z]{9})?|glptt-[0-9a-f]{40}|GR1348941[\w-]{20})(?![\w-])/,
    entropy: 3.5,
  },
  {
    id: 'slack-token',
    title: 'Slack token',
    severity: 'high',
    cwe,
    fix: rotate('Slack token in the app settings'),
    keywords: ['xoxb-', 'xoxp-', 'xoxa-', 'xoxr-', 'xoxs-', 'xoxe-', 'xapp-'],
    regex:
      /\b(xox[bpares]-\d{8,14}(?:-\d{8,14}){0,2}-[0-9A-Za-z]{18,64}|xapp-\d-[0-9A-Z]{8,14}-\d{8,14}-[0-9a-f]{32,80})\b/,
    entropy: 3,
  },
  {
    id: 'slack-webhook',
    title: 'Slack incoming webhook URL',
    severity: 'medium',
    cwe,
    fix: 'Delete the webhook in Slack and create a new one; keep its URL in a secret store.',
    keywords: ['hooks.slack.com'],
    regex: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/([A-Za-z0-9+/]{43,56})(?![A-Za-z0-9+/])/,
    entropy: 4,
  },
  {
    id: 'stripe-secret-key',
    title: 'Stripe live secret or restricted key',
    severity: 'critical',
    cwe,
    fix: rotate('Stripe key in the Dashboard › Developers › API keys'),
    keywords: ['sk_live_', 'rk_live_', 'sk_prod_', 'rk_prod_'],
    // Stripe's secret and restricted keys carry 24 characters or more after the prefix (99 today).
    regex: /\b((?:sk|rk)_(?:live|prod)_[0-9A-Za-z]{24,247})\b/,
    entropy: 3.5,
    reportsStandIns: true,
  },
  {
    id: 'stripe-test-key',
    title: 'Stripe test-mode secret or restricted key',
    // A test key moves no money but reads and writes the account's test data and webhooks.
    severity: 'low',
    cwe,
    fix: rotate('Stripe test key in the Dashboard › Developers › API keys (test mode)'),
    keywords: ['sk_test_', 'rk_test_'],
    regex: /\b((?:sk|rk)_test_[0-9A-Za-z]{24,247})\b/,
    entropy: 3.5,
    reportsStandIns: true,
  },
  {
    id: 'gcp-service-account-key',
    title: 'Google Cloud service-account private key',
    severity: 'critical',
    cwe,
    fix: 'Delete the key in IAM › Service accounts › Keys and create a new one; prefer workload identity over key files.',
    keywords: ['"private_key"'],
    fileMustContain: ['service_account'],
    regex:
      /"private_key"\s*:\s*"(-----BEGIN (?:RSA )?PRIVATE KEY-----(?:\\n|[A-Za-z0-9+/=])+?-----END (?:RSA )?PRIVATE KEY-----)/,
    normalise: pemBody,
    placeholderCheck: false,
  },
  {
    id: 'google-api-key',
    title: 'Google API key',
    severity: 'high',
    cwe,
    fix: rotate('API key in Google Cloud › APIs & Services › Credentials'),
    keywords: ['aiza'],
    regex: /\b(AIza[0-9A-Za-z_-]{35})(?![0-9A-Za-z_-])/,
    entropy: 4,
  },
  {
    id: 'azure-storage-key',
    title: 'Azure storage account key',
    severity: 'critical',
    cwe,
    fix: 'Rotate the storage account key (Access keys › Rotate key) and use Entra ID or SAS tokens with short expiry.',
    keywords: ['accountkey', 'azure', 'storage_key', 'storagekey'],
    regex:
      /(?:AccountKey=|(?i:(?:azure|storage)[\w.-]{0,30}key)["']?[ \t]*(?::=|=>|=|:)[ \t]*["']?)([A-Za-z0-9+/]{86}==)/,
    entropy: 4.5,
    // Azurite, the local emulator, has one well-known key for its one account.
    allow: { lines: [/devstoreaccount1/] },
  },
  {
    id: 'npm-token',
    title: 'npm access token',
    severity: 'high',
    cwe,
    fix: rotate('npm token (npm token revoke)'),
    keywords: ['npm_'],
    regex: /\b(npm_[0-9A-Za-z]{36})\b/,
    entropy: 3,
    check: (token) => hasBase62Crc32(token, 4),
  },
  {
    id: 'pypi-token',
    title: 'PyPI upload token',
    severity: 'high',
    cwe,
    fix: rotate('PyPI API token in Account settings'),
    keywords: ['pypi-ageichlwas5vcmc'],
    regex: /\b(pypi-AgEIcHlwaS5vcmc[\w-]{50,1000})/,
    entropy: 3.5,
  },
  {
    id: 'twilio-api-key',
    title: 'Twilio API key',
    severity: 'high',
    cwe,
    fix: rotate('Twilio API key in the Console'),
    keywords: ['twilio'],
    regex: /\b(SK[0-9a-f]{32})\b/,
    entropy: 3,
  },
  {
    id: 'twilio-auth-token',
    title: 'Twilio auth token',
    severity: 'high',
    cwe,
    fix: rotate('Twilio auth token (Console › Account › API keys & tokens)'),
    keywords: ['twilio'],
    regex: new RegExp(String.raw`(?i:twilio[\w.-]{0,20}?(?:auth)?[_.-]?token)${assignment}([0-9a-f]{32})\b`),
    entropy: 3,
  },
  {
    id: 'sendgrid-api-key',
    title: 'SendGrid API key',
    severity: 'high',
    cwe,
    fix: rotate('SendGrid API key in Settings › API Keys'),
    keywords: ['sg.'],
    regex: /\b(SG\.[0-9A-Za-z_-]{22}\.[0-9A-Za-z_-]{43})(?![0-9A-Za-z_-])/,
    entropy: 4,
  },
  // Provider formats, private keys and authorization material live in their own module.
  ...providerRules,
  {
    id: 'database-url-credentials',
    title: 'URL or connection string with a password',
    severity: 'high',
    cwe,
    fix: 'Change the password and pass the URL through the environment or a secret manager.',
    keywords: ['://'],
    fileMustContain: ['@'],
    // Any scheme (postgres, mongodb+srv, jdbc:mysql, amqp, redis, ftp, https, …): user, password, host.
    // The password may hold an `@`; the last one before the host ends it.
    regex: /\b(?:jdbc:|odbc:)?[a-z][a-z0-9+.-]{1,20}:\/\/([^\s:@/'"\x60]{1,64}:[^\s/'"\x60]{4,128})@(?=[\w[(-])/i,
    check: isUrlPassword,
    normalise: (userAndPassword) => userAndPassword.slice(userAndPassword.indexOf(':') + 1),
  },
  {
    id: 'jwt',
    title: 'JSON Web Token',
    severity: 'medium',
    cwe,
    fix: 'Revoke or expire the token (rotate the signing key if it was long-lived) and never commit issued tokens.',
    keywords: ['eyj'],
    regex: /\b(eyJ[A-Za-z0-9_-]{15,}\.eyJ[A-Za-z0-9_-]{15,}\.[A-Za-z0-9_-]{16,})(?![A-Za-z0-9_.-])/,
    entropy: 4,
    check: isSignedJwt,
    allow: { paths: [/(?:^|\/)(?:__snapshots__|__fixtures__)\//] },
  },
  {
    id: 'generic-password',
    title: 'Hard-coded password or secret',
    severity: 'medium',
    cwe: ['CWE-798', 'CWE-259'],
    fix: 'Move the value to a secret manager or the environment, and change it: it stays in the git history.',
    keywords: ['pass', 'pwd', 'secret', 'token', 'key', 'credential'],
    regex: keyedValueRegex,
    // A vendor's default (`changeit`, `root`) is the default-password rule's, at low severity.
    check: (value, place) => !isDefaultPassword(value, place) && looksLikeCredential(value, place),
    vetoes: false,
    allow: {
      paths: [
        // Translation catalogues: "LABEL_PASSWORD": "Passwort" names a field in another language.
        /(?:^|\/)(?:i18n|l10n|locales?|translations?|lang)\//i,
        /(?:^|\/)(?:__snapshots__|__fixtures__)\//,
        /(?:^|\/)\.(?:vitest-cache|cache|next|nuxt|turbo)\//,
        /\.d\.ts$/,
      ],
    },
  },
  // Passwords known by the syntax around them, then defaults the keyword rule leaves to a lower severity.
  ...passwordRules,
  passphraseRule,
  totpSecretRule,
  sessionCookieRule,
  markupPasswordRule,
  defaultPasswordRule,
]
