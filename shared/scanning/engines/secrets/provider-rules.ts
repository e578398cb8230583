// Secret rules for provider formats, private keys and authorization material (items split from rules.ts so
// they can grow on their own). They sit in the rule order right after the vendor token rules of rules.ts,
// before the connection-string and generic keyword rules.
import type { SecretRule } from './rules.js'

/** A PEM body without its line breaks, written or escaped: the same key however it was pasted. */
export const pemBody = (secret: string) => secret.replace(/\\n|\\r|\s/g, '')

/** Prefixes of the token formats the provider rules and secretlint know. */
const vendorPrefix =
  /^(?:vgk|ghp|gho|ghu|ghs|ghr|github_pat|glpat|xox[abposre]|xapp|sk|rk|pk|npm|pypi|hf|dckr_pat|dckr_oat|vc[pciark]|SG|AKIA|ASIA)[_.-]/

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
  {
    id: 'jwk-private-key',
    title: 'Private or secret JSON Web Key',
    severity: 'high',
    cwe: ['CWE-798', 'CWE-321'],
    fix: 'Replace the key (and what it signed or encrypted); publish only the public members (kty, n, e, x, y) of a JWK.',
    keywords: ['kty'],
    // The private members of RSA (d, p, q, dp, dq, qi), EC and OKP (d) keys, and a symmetric key's k.
    regex: /(?:^|[\s{,])["']?(?:d|p|q|dp|dq|qi|k)["']?[ \t]*:[ \t]*["']([A-Za-z0-9_-]{20,})(?=["'])/,
    entropy: 3.5,
  },
  {
    id: 'bearer-token',
    title: 'Bearer token in an Authorization header',
    severity: 'high',
    cwe: ['CWE-798'],
    fix: 'Revoke the token where it was issued; send it from the environment or a secret store, never from code or fixtures.',
    keywords: ['bearer '],
    vetoes: false,
    regex: /\b[Bb]earer[ \t]+([A-Za-z0-9._~+/-]{16,}=*)(?![A-Za-z0-9._~+/=-])/,
    entropy: 3.5,
    // A JWT, or a token with a vendor's prefix (`ghp_`, `vgk_`, `glpat-`): the rule that knows its format
    // judges it, even when it is cut short (a format rule that never matched cannot disprove it).
    check: (token) => !token.startsWith('eyJ') && !vendorPrefix.test(token),
  },
  {
    id: 'basic-auth-header',
    title: 'Basic authentication credentials in an Authorization header',
    severity: 'high',
    cwe: ['CWE-798', 'CWE-522'],
    fix: 'Change the password of the account the header encodes; base64 hides nothing.',
    keywords: ['basic '],
    regex: /\b[Bb]asic[ \t]+([A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])/,
    check: isBasicCredential,
  },
  {
    id: 'vercel-token',
    title: 'Vercel token',
    severity: 'high',
    cwe: ['CWE-798'],
    fix: 'Revoke the token in Vercel › Account Settings › Tokens and create a new one.',
    keywords: ['vcp_', 'vci_', 'vca_', 'vcr_', 'vck_'],
    // Vercel's prefixed tokens: personal (vcp), integration (vci), app access (vca), refresh (vcr), key (vck).
    regex: /\b(vc[pciark]_[A-Za-z0-9_-]{24,})(?![A-Za-z0-9_-])/,
    entropy: 3.5,
  },
]

/** `Basic …`: base64 of `user:password`, both there, printable, and the password not a stand-in. */
function isBasicCredential(encoded: string): boolean {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8')
  if (!/^[\x20-\x7e]+$/.test(decoded)) return false
  const colon = decoded.indexOf(':')
  if (colon <= 0 || colon === decoded.length - 1) return false
  const password = decoded.slice(colon + 1)
  return !/^(?:password|pass|passwd|secret|\*+|x+)$/i.test(password) && !/[<>{}$]/.test(password)
}
