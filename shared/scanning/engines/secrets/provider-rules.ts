// Secret rules for provider formats, private keys and authorization material (items split from rules.ts so
// they can grow on their own). They sit in the rule order right after the vendor token rules of rules.ts,
// before the connection-string and generic keyword rules.
import { shannonEntropy } from './entropy.js'
import { isSignedJwt } from './jwt.js'
import { passwordStandIns } from './passwords.js'
import type { SecretRule } from './rule.js'

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
    // Hex carries 4 bits a character at most, so a random hex token sits near 3.8 where a base64 one sits
    // near 5: the floor follows the alphabet the token is written in.
    entropy: 3,
    // A JWT, or a token with a vendor's prefix (`ghp_`, `vgk_`, `glpat-`): the rule that knows its format
    // judges it, even when it is cut short (a format rule that never matched cannot disprove it).
    check: (token) =>
      !token.startsWith('eyJ') &&
      !vendorPrefix.test(token) &&
      shannonEntropy(token) >= (/^[0-9a-f]+$/i.test(token) ? 3 : 3.5),
  },
  {
    id: 'private-key-base64',
    title: 'Private key, base64-encoded PEM',
    severity: 'critical',
    cwe: ['CWE-798', 'CWE-321'],
    fix: 'Treat the key pair as compromised: replace it and revoke what trusts it. A base64 layer (a Kubernetes Secret, a CI variable dump) hides nothing.',
    // `LS0tLS1CRUdJTi` is `-----BEGIN` in base64: a Kubernetes `tls.key`, a CI variable, a JSON field.
    keywords: ['ls0tls1crudjti'],
    regex: /(LS0tLS1CRUdJTi[A-Za-z0-9+/]{80,21848}={0,2})(?![A-Za-z0-9+/=])/,
    placeholderCheck: false,
    check: (encoded) => isPrivateKeyPem(decodedBase64(encoded)),
    // The key, not its encoding, is the secret: the same key pasted as PEM elsewhere is one identity.
    normalise: (encoded) => pemBody(decodedBase64(encoded)),
  },
  {
    id: 'putty-private-key',
    title: 'PuTTY private key',
    severity: 'critical',
    cwe: ['CWE-798', 'CWE-321'],
    fix: 'Replace the key pair and remove the public key from every authorized_keys; a passphrase on the file only slows an offline guess.',
    keywords: ['putty-user-key-file-'],
    // The header, its fields, and at least one line of the Private-Lines block: a .ppk's private half.
    regex:
      /(PuTTY-User-Key-File-[23]: [\w@.-]{3,40}\r?\n(?:[\w-]{2,40}: [^\r\n]{0,200}\r?\n|[A-Za-z0-9+/=]{4,80}\r?\n){1,60}?Private-Lines: \d{1,3}\r?\n(?:[A-Za-z0-9+/=]{16,80}\r?\n?){1,64})/,
    placeholderCheck: false,
    normalise: pemBody,
  },
  {
    id: 'apikey-header',
    title: 'API key in an `Authorization: ApiKey` header',
    severity: 'high',
    cwe: ['CWE-798'],
    fix: 'Invalidate the key where it was issued (Elasticsearch: the invalidate API key API) and send it from the environment or a secret store.',
    keywords: ['apikey '],
    vetoes: false,
    // Elasticsearch and others: `ApiKey base64(id:key)` or an opaque key.
    regex: /\bApiKey[ \t]+([A-Za-z0-9._~+/-]{20,}=*)(?![A-Za-z0-9._~+/=-])/,
    entropy: 3,
    check: (key) => !vendorPrefix.test(key) && shannonEntropy(key) >= (/^[0-9a-f]+$/i.test(key) ? 3 : 3.5),
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
  {
    id: 'slack-legacy-token',
    title: 'Slack token (legacy or workspace form)',
    severity: 'high',
    cwe: ['CWE-798'],
    fix: 'Revoke the token in the Slack app settings (or the legacy token page) and issue a new one.',
    keywords: ['xoxa-', 'xoxb-', 'xoxo-', 'xoxp-', 'xoxr-', 'xoxs-'],
    // Older tokens carry numeric team/user ids with a short tail, which the current-format rule (an
    // 18+ character tail) does not take: `xox?-` followed by dash-separated ids is Slack's alone.
    regex: /(?<![\w-])(xox[abposr]-(?:\d{6,14}-){1,3}[0-9A-Za-z]{8,64})(?![\w-])/,
    entropy: 3.2,
  },
  {
    id: 'slack-webhook-structured',
    title: 'Slack incoming webhook URL',
    severity: 'medium',
    cwe: ['CWE-798'],
    fix: 'Delete the webhook in Slack and create a new one; keep its URL in a secret store.',
    keywords: ['hooks.slack.com/services/'],
    // Judged by structure (team id T…, channel id B…, a 24-character secret) rather than entropy, so a
    // webhook whose ids are short or repetitive is still found; all-X stand-ins fail the placeholder check.
    regex: /https:\/\/hooks\.slack\.com\/services\/(T[A-Z0-9]{6,12}\/B[A-Z0-9]{6,12}\/[A-Za-z0-9]{24})(?![A-Za-z0-9])/,
    check: (path) => /[a-z]/.test(path.slice(path.lastIndexOf('/') + 1)) && /\d/.test(path),
  },
  {
    id: 'github-app-installation-jwt',
    title: 'GitHub App installation token',
    severity: 'high',
    cwe: ['CWE-798'],
    fix: 'Revoke the installation token (DELETE /installation/token) and rotate the app key that minted it.',
    keywords: ['ghs_'],
    // The longer installation-token form: ghs_<app id>_<signed JWT>; the JWT must decode and be signed.
    regex: /(?<![\w-])(ghs_\d{1,12}_eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{16,})(?![\w-])/,
    check: (token) => isSignedJwt(token.slice(token.indexOf('_eyJ') + 1)),
  },
  {
    id: 'docker-access-token',
    title: 'Docker Hub access token',
    severity: 'high',
    cwe: ['CWE-798'],
    fix: 'Delete the token in Docker Hub › Account settings › Personal access tokens and create a new one.',
    keywords: ['dckr_pat_', 'dckr_oat_'],
    // Docker Hub personal (dckr_pat_) and organisation (dckr_oat_) access tokens: 27 URL-safe characters.
    regex: /(?<![\w-])(dckr_(?:pat|oat)_[A-Za-z0-9_-]{27})(?![\w-])/,
    entropy: 3.5,
    reportsStandIns: true,
  },
]

const decodedBase64 = (encoded: string) => Buffer.from(encoded, 'base64').toString('latin1')

/** A PEM private key block with a body: not a certificate, not a public key, not a cut-off sample. */
const isPrivateKeyPem = (text: string) =>
  /^-----BEGIN[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?-----\r?\n[A-Za-z0-9+/=\r\n:,-]{64,}/.test(text) &&
  !/\.\.\.|…/.test(text)

/** `Basic …`: base64 of `user:password`, both there, printable, and the password not a stand-in. */
function isBasicCredential(encoded: string): boolean {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8')
  if (!/^[\x20-\x7e]+$/.test(decoded)) return false
  const colon = decoded.indexOf(':')
  if (colon <= 0 || colon === decoded.length - 1) return false
  const password = decoded.slice(colon + 1)
  // `open sesame` is the RFC 7617 example (`Aladdin:open sesame`), copied into READMEs.
  if (passwordStandIns.has(password.toLowerCase())) return false
  return !/^(?:open ?sesame|\*+|x+)$/i.test(password) && !/[<>{}$]/.test(password)
}
