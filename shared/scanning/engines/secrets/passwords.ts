// Passwords known by the syntax around them rather than by a key's name: SQL that sets one, database
// command lines, ADO/ODBC connection strings, credential constructors and setters, signing secrets handed
// to HMAC and JWT calls, and documented default passwords (low severity). The syntax already says "this is
// a password", so a short or ordinary value counts; only placeholders and code are left out.

import { shannonEntropy } from './entropy.js'
import { isPasswordKey, isWrittenAsValue, looksLikeCredential, namesACredential } from './keyed-values.js'
import type { MatchPlace, SecretRule } from './rule.js'

const cwe = ['CWE-798', 'CWE-259']
const fix =
  'Change the password and load it at run time from a secret manager or the environment: it stays in the git history.'

/** Whole values that stand for a password instead of being one. Compared whole: `passW0rd!` is a password. */
export const passwordStandIns = new Set([
  'password',
  'passwd',
  'pass',
  'pwd',
  'secret',
  'mypassword',
  'userpass',
  'yourpassword',
  'newpassword',
  'oldpassword',
  'username',
  'user',
  'null',
  'none',
  'undefined',
  'true',
  'false',
  'string',
  'empty',
  'redacted',
  'masked',
  'hidden',
])

/**
 * A literal the syntax names as a password: anything but a stand-in, a variable, a template, a format
 * directive, a run of one character or a value with letters beyond ASCII (translated UI text).
 */
export function isPasswordLiteral(value: string): boolean {
  if (value.length < 3 || passwordStandIns.has(value.toLowerCase())) return false
  if (/^(.)\1+$/.test(value)) return false // xxxx, ****
  if (/[$%]\{|\{\{|\}\}|^\$\w|^%[a-z]$|^%\w+%$|^<[^>]*>$|^\[[^\]]*\]$|^:\w+$|^\?$/i.test(value)) return false
  if (/\p{L}/u.test(value.replace(/[A-Za-z]/g, ''))) return false
  return !/^[A-Z]+(?:_[A-Z]+)+$/.test(value) // YOUR_PASSWORD
}

const quoted = (body: string) => `(?:'(${body})'|"(${body})")`
const literal = String.raw`[^'"\s\\]{3,128}`
/** A user name argument: quoted, not captured (the password after it is the secret). */
const userArgument = String.raw`(?:'[^'\n]{1,64}'|"[^"\n]{1,64}")`

/** Caches and generated trees copy source (tests, source maps) that is scanned where it was written. */
const copiedTrees = [/(?:^|\/)\.(?:vitest-cache|cache|next|nuxt|turbo)\//, /(?:^|\/)(?:__snapshots__|__fixtures__)\//]

export const passwordRules: SecretRule[] = [
  {
    id: 'sql-password',
    title: 'Password set in SQL',
    severity: 'medium',
    cwe,
    fix,
    keywords: ['pass', 'identified by'],
    // Starts at PASSWORD and looks back for the statement, so text that only says "password" costs little.
    regex: new RegExp(
      String.raw`(?:(?<=\b(?:WITH|LOGIN|USER|ROLE)\b[^;\n'"]{0,80})\bPASSWORD\s*=?\s*N?|\bIDENTIFIED\s+(?:WITH\s+\w+\s+)?BY\s+|\bPASSWORD\s*\(\s*)${quoted(literal)}`,
      'i',
    ),
    check: (value) => isPasswordLiteral(value),
    vetoes: false,
    allow: { paths: copiedTrees },
  },
  {
    id: 'cli-password',
    title: 'Password on a command line',
    severity: 'medium',
    cwe,
    fix,
    keywords: ['mysql', 'mariadb', 'sshpass', 'redis-cli', 'mongo'],
    // mysql -pSecret (no space: a space makes -p prompt), sshpass -p 'x', redis-cli -a x, mongo… -p x.
    regex: new RegExp(
      String.raw`\b(?:(?:mysql\w*|mariadb[\w-]*)\b[^\n|;&]{0,120}?\s-p|sshpass\s+-p\s*|redis-cli\b[^\n|;&]{0,120}?\s-a\s+|mongo\w*\b[^\n|;&]{0,120}?\s(?:-p|--password)\s+)(?:${quoted(literal)}|([^\s'"$\x60-][^\s'"\x60;|&)]{2,127}))`,
    ),
    check: (value) => isPasswordLiteral(value),
    vetoes: false,
    allow: { paths: copiedTrees },
  },
  {
    id: 'connection-string-password',
    title: 'Connection string with a password',
    severity: 'high',
    cwe,
    fix,
    keywords: ['pass', 'pwd'],
    // ADO.NET and ODBC: Server=…;User Id=…;Password=…; the `;` separators say it is a connection string.
    regex:
      /(?<=(?:;|["'\x60]|^)[ \t]*)(?:password|pwd)[ \t]*=[ \t]*(?:\{([^}\n]{3,128})\}|([^;"'\x60\s{][^;"'\x60\n]{2,127}?))[ \t]*(?=;|["'\x60]|$)/im,
    check: (value, place) =>
      isPasswordLiteral(value.trim()) &&
      /(?:server|data source|host|uid|user id|user|username|database|initial catalog|dsn|driver|jdbc:[\w:]+)[ \t]*[=/]/i.test(
        place.before,
      ),
    vetoes: false,
    allow: { paths: copiedTrees },
  },
  {
    id: 'credential-call-password',
    title: 'Password passed to a credential constructor or setter',
    severity: 'medium',
    cwe,
    fix,
    keywords: ['pass', 'credential', 'auth', 'login('],
    // new NetworkCredential("user", "pw"), PasswordAuthentication("u", "pw"), HTTPBasicAuth("u", "pw"),
    // auth=("u", "pw"), .auth('u', 'pw'), .setPassword("pw"), .withPassword("pw").
    regex: new RegExp(
      String.raw`(?:(?:Credentials?|PasswordAuthentication|HTTP(?:Basic|Digest)Auth|BasicAuth|setBasicAuth|basicAuth)\s*\(\s*${userArgument}\s*,\s*|(?:\bauth\s*=\s*\(|\.auth\s*\(|\.login\s*\()\s*${userArgument}\s*,\s*|\.(?:set|with)?[Pp]ass(?:word|wd)\s*\(\s*)${quoted(literal)}\s*[,)]`,
    ),
    check: (value) => isPasswordLiteral(value),
    vetoes: false,
    allow: { paths: copiedTrees },
  },
  {
    id: 'signing-secret-literal',
    title: 'Signing secret written in code',
    severity: 'high',
    cwe: ['CWE-798', 'CWE-321'],
    fix: 'Replace the signing secret (every token or MAC made with it can be forged) and load it from a secret manager.',
    keywords: ['createhmac', 'createsecretkey', 'jwt.sign', 'jwt.verify', 'jsonwebtoken'],
    // createHmac('sha256', 'key'), createSecretKey(Buffer.from('…')), jwt.sign(payload, 'secret').
    regex: new RegExp(
      String.raw`(?:\bcreateHmac\s*\(\s*['"][\w-]+['"]\s*,\s*|\bcreateSecretKey\s*\(\s*(?:Buffer\.from\s*\(\s*)?|\bjwt\.(?:sign|verify)\s*\(\s*[\w$.]+(?:\([^()\n]*\))?\s*,\s*)${quoted(String.raw`[^'"\s\\]{6,256}`)}`,
    ),
    check: (value) => isPasswordLiteral(value) && !/^(?:secret|shhhhh?|keyboard cat)$/i.test(value),
    vetoes: false,
    allow: { paths: copiedTrees },
  },
]

/** Words of interface text about a password (labels, hints, errors), never of a passphrase itself. */
const interfaceWords =
  /\b(?:pass(?:word|words|wd|phrase)?|enter|your|please|must|should|invalid|wrong|incorrect|required|characters?|least|match(?:es)?|confirm|reset|forgot|new|old|current|field|hint|show|hide|login|log in|sign in|type|value|here|example|is|are|not|too|and|or|with|for)\b/i

/**
 * A passphrase quoted under a password's name: two to six words (`uss enterprise`, `Mr. N00dles`), not a
 * sentence of interface text (`Enter your password`, `Too short.`) and not a template.
 */
export function isPassphrase(value: string, place: MatchPlace): boolean {
  if (!isPasswordKey(place.before) || !namesACredential(place.before)) return false
  const words = value.trim().split(/\s+/)
  if (words.length < 2 || words.length > 6 || words.some((word) => word.length > 20)) return false
  if (/[.:?!]$|[{}<>$%\\]|\s{2}/.test(value) || /\p{L}/u.test(value.replace(/[A-Za-z]/g, ''))) return false
  return !interfaceWords.test(value)
}

/**
 * Vendors' default passwords (changeit is every Java keystore's): documentation writes them as often as
 * deployments keep them, so under a password's name they are reported at low severity, never dropped.
 * A word with a number (`admin123`) stays out: labelled real code calls those documented examples.
 */
const defaultPasswords = new Set(['changeme', 'change_me', 'changeit', 'letmein', 'root', 'toor'])

export function isDefaultPassword(value: string, place: MatchPlace): boolean {
  // This rule's one group holds quoted and bare values alike; a quote just before it says which.
  const written = { ...place, group: /["'\x60]$/.test(place.before) ? 1 : 2 }
  if (!isPasswordKey(place.before) || !namesACredential(place.before) || !isWrittenAsValue(written)) return false
  return defaultPasswords.has(value.toLowerCase())
}

export const passphraseRule: SecretRule = {
  id: 'password-passphrase',
  title: 'Hard-coded passphrase',
  severity: 'medium',
  cwe,
  fix,
  keywords: ['pass', 'pwd'],
  regex:
    /(?:pass(?:word|wd|phrase)?|pwd)(?:[_-]?(?:confirm(?:ation)?|repeat|again))?["'\x60]?[ \t]*(?:===?|:=|=>|=|:)[ \t]*(?:'([^'\n\\]*? [^'\n\\]*)'|"([^"\n\\]*? [^"\n\\]*)")/i,
  check: isPassphrase,
  vetoes: false,
  allow: { paths: [...copiedTrees, /(?:^|\/)(?:i18n|l10n|locales?|translations?|lang)\//i, /\.d\.ts$/] },
}

/** One-time-password seeds handed to an authenticator (base32, as otplib and speakeasy take them). */
export const totpSecretRule: SecretRule = {
  id: 'totp-secret-literal',
  title: 'One-time-password (2FA) secret written in code',
  severity: 'medium',
  cwe: ['CWE-798'],
  fix: 'Reset the second factor that uses this seed; a test seed belongs in a fixture generated at run time.',
  keywords: ['authenticator.', 'totp.', 'hotp.'],
  regex:
    /\b(?:authenticator|totp|hotp)\.(?:generate|check|verify|keyuri|keyURI)\s*\(\s*(?:'([A-Z2-7]{16,128})'|"([A-Z2-7]{16,128})")/,
  entropy: 3,
  vetoes: false,
  allow: { paths: copiedTrees },
}

/**
 * Session cookies recorded with a request or response (VCR cassettes, HAR files, test headers): each one
 * logs in as its user until it expires. Named as frameworks name them: `connect.sid`, `PHPSESSID`,
 * `JSESSIONID`, Django's `sessionid`, Rails' `_app_session`.
 */
export const sessionCookieRule: SecretRule = {
  id: 'session-cookie',
  title: 'Session cookie',
  severity: 'medium',
  cwe: ['CWE-798', 'CWE-522'],
  fix: 'Log the session out (or rotate the session secret) and strip cookies from recorded HTTP traffic.',
  keywords: ['sid=', 'sessionid=', 'session_id=', 'session='],
  regex: /(?:\.sid|\bphpsessid|\bjsessionid|\bsessionid|\bsession_id|\w_session)=([^;\s"',\\&]{16,512})/i,
  check: (value) => shannonEntropy(value) >= 3.5 && isPasswordLiteral(value) && !/^[a-z]+$/i.test(value),
  vetoes: false,
  allow: { paths: copiedTrees },
}

/**
 * Credentials in XML configuration: `<password>…</password>` (Maven settings.xml, Tomcat, Spring), and
 * .NET's `<add key="DbPassword" value="…" />`; `machine … login … password …` lines of a .netrc. The
 * element or key names the value, so it is judged by shape as a keyed value in code is.
 */
export const markupPasswordRule: SecretRule = {
  id: 'config-markup-password',
  title: 'Password in XML configuration or .netrc',
  severity: 'medium',
  cwe,
  fix,
  // The keyword rule's words: a file is searched for each once, whichever rules share it.
  keywords: ['pass', 'pwd', 'secret', 'token', 'key'],
  fileMustContain: ['</', 'value=', 'machine '],
  regex:
    /(?<=<[\w.:-]*(?:password|passwd|pwd|secret|token|api[_-]?key)>)([^<\s]{3,128})(?=<\/)|\bkey\s*=\s*"[\w.:-]*(?:password|pwd|secret|token|api[_-]?key)"\s+value\s*=\s*"([^"\s]{3,128})"|\bmachine\s+[\w.-]+(?:\s+login\s+\S+)?\s+password\s+([^\s'"]{3,128})/i,
  check: (value) => isPasswordLiteral(value) && looksLikeCredential(value),
  vetoes: false,
  allow: { paths: [...copiedTrees, /\.d\.ts$/] },
}

export const defaultPasswordRule: SecretRule = {
  id: 'default-password',
  title: 'Default or common password',
  severity: 'low',
  cwe,
  fix: 'Change the default password on every system that still uses it, and keep the real one out of the repository.',
  keywords: ['pass', 'pwd'],
  // Starts at the value (a handful of words), looks back for the key: far cheaper than every keyed value.
  regex: new RegExp(
    String.raw`(?<=(?:[Pp]ass(?:word|wd|phrase)?|PASS(?:WORD|WD|PHRASE)?|[Pp]wd|PWD)\\?["'\x60]?[ \t]*(?:===?|:=|=>|=|:)[ \t]*\\?["'\x60]?)(${[...defaultPasswords].join('|')})(?=\\?["'\x60]|[\s,;)}]|$)`,
    'm',
  ),
  check: isDefaultPassword,
  placeholderCheck: false,
  vetoes: false,
  allow: { paths: copiedTrees },
}
