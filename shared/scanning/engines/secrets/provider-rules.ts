// Secret rules for provider formats, private keys and authorization material (items split from rules.ts so
// they can grow on their own). They sit in the rule order right after the vendor token rules of rules.ts,
// before the connection-string and generic keyword rules.
import type { SecretRule } from './rules.js'

/** A PEM body without its line breaks, written or escaped: the same key however it was pasted. */
export const pemBody = (secret: string) => secret.replace(/\\n|\\r|\s/g, '')

export const providerRules: SecretRule[] = [
  {
    id: 'private-key',
    title: 'Private key (PEM or OpenSSH)',
    severity: 'critical',
    cwe: ['CWE-798', 'CWE-321'],
    fix: 'Treat the key pair as compromised: replace it, revoke its certificate or authorized_keys entries, and keep keys out of the repository.',
    keywords: ['-----begin'],
    // The body is bounded so a BEGIN with no END costs one bounded scan, not a backtracking search.
    regex:
      /(-----BEGIN[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?-----(?:\\[nr]|[\s\w+/=:,.-]){64,16384}?-----END[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?-----)/,
    normalise: pemBody,
    placeholderCheck: false,
    check: (secret) => !/\.\.\.|…|<[^>]*>/.test(secret),
  },
]
