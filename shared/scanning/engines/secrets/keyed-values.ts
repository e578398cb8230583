// Secrets known by the name they are given rather than by a format of their own: `password: 's3cr3t!'`,
// `"access_token": "…"`, `PGPASSWORD=…`, `client_secret=…` in a query string. A value is judged by the
// key that names it and by its shape, with measures that work on short strings (character classes, whole
// placeholder words), not by bits of entropy per character, which a real eight-character password can
// never reach.
import { shannonEntropy } from './entropy.js'
import type { MatchPlace } from './rule.js'

/** Names that say the value is a credential. The key must end with one (`tokenType` does not). */
const credentialNames = `(?:pass(?:word|wd|phrase)?|pwd|secrets?|tokens?|api[_-]?key|apikey|(?:access|secret|private|consumer|client|auth|encryption|signing|master|app)[_-]?key|credentials?|client[_-]?secret)`
/** A second field for the same value: `passwordConfirmation`, `password_repeat`, `newPasswordAgain`. */
const confirmSuffix = `(?:[_-]?(?:confirm(?:ation|ed)?|repeat(?:ed)?|again|verify|verification))?`
/** Assignments, and comparisons a value is checked against (`req.body.password === '…'`). */
const assignOps = '(?:===?|!==?|:=|=>|=|:)'

/**
 * A credential name ending a key (bare, quoted, or with escaped quotes inside a JSON string), the
 * assignment (`=`, `:`, `:=`, `=>`, a query string's `=`), and a quoted or bare value. The regex starts at
 * the name (fast to find); whether the name starts a word of the key is checked on the text before.
 */
export const keyedValueRegex = new RegExp(
  String.raw`${credentialNames}${confirmSuffix}\\?["'\x60]?[ \t]*${assignOps}[ \t]*\[?[ \t]*(?:\\?["'\x60]([^\s"'\x60\\]{4,200})\\?["'\x60]|([^\s"'\x60\\,;&)}<>]{4,200})(?=[\s,;&)}<>"'\x60]|$))`,
  // Case-insensitive as a whole: V8 does not backtrack into a lazy prefix before a `(?i:…)` group.
  'im',
)

/**
 * Whether the credential name starts the key or a word of it: after a separator (`DB_PASSWORD`,
 * `db.password`) or at a camel-case boundary (`dbPassword`), never inside a word (`bypass`, `passport`).
 */
/** The key a value is assigned to, from the text before the value. */
function keyOf(before: string): string {
  return (
    /([A-Za-z0-9_.-]+)\\?["'\x60]?[ \t]*(?:===?|!==?|:=|=>|=|:)[ \t]*\[?[ \t]*\\?["'\x60]?$/.exec(before)?.[1] ?? ''
  )
}

const withoutConfirmSuffix = (key: string) => key.replace(new RegExp(`${confirmSuffix}$`, 'i'), '')

export const isPasswordKey = (before: string) =>
  /(?:password|passwd|passphrase|pwd)$/i.test(withoutConfirmSuffix(keyOf(before)))

const tailOf = (name: string) => name.toLowerCase().split(/[.:]/).pop()

export function namesACredential(before: string): boolean {
  const key = withoutConfirmSuffix(keyOf(before))
  const name = new RegExp(`${credentialNames}$`, 'i').exec(key)
  if (!name) return false
  const at = name.index
  if (at === 0 || /[_.-]/.test(key[at - 1]!)) return true
  // Environment variables glue a prefix on: PGPASSWORD, MYSQLPWD, VAULTTOKEN (never a bare PASS: BYPASS).
  if (/^[A-Z0-9_]+$/.test(key) && /^(?:PASSWORD|PASSWD|PWD|SECRET|TOKEN)$/.test(key.slice(at))) return true
  return /[a-z0-9]/.test(key[at - 1]!) && /[A-Z]/.test(key[at]!)
}

/** Whole values that name the field instead of filling it, or stand for nothing. */
const emptyValues = new Set([
  'password',
  'text',
  'input',
  'field',
  'value',
  'bearer',
  'basic',
  'test',
  'testing',
  'boolean',
  'number',
  'object',
  'array',
  'admin',
  'passwd',
  'pass',
  'pwd',
  'mypassword',
  'yourpassword',
  'notasecret',
  'secret',
  'token',
  'apikey',
  'api_key',
  'none',
  'null',
  'nil',
  'undefined',
  'true',
  'false',
  'string',
  'required',
  'optional',
  'hidden',
  'redacted',
  'masked',
  'empty',
  'unset',
  'xxx',
])

/** Code, not a value: identifiers, member chains, calls, interpolation, environment lookups, types. */
const codeShapes: RegExp[] = [
  /^[A-Za-z_$][\w$]*$/, // one identifier: a variable, an enum member (letters only are tested below)
  /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/, // member chain: config.db.password, os.environ
  /^[\w$.]+\(/, // a call
  /^[\w$.]+\[/, // an index
  /^(?:process\.env|os\.environ|env\.|config\.|settings\.|this\.|self\.)/i,
  /^[A-Za-z]+::/, // AWS::S3::Bucket
  /^[A-Za-z][\w-]*(?:\.[\w-]+)+$/, // dotted names: hosts, packages, aws_cdk.aws_rds
  /^\/[\w./-]*$/, // a path
  /^[\w@-]+(?:\/[\w.-]+)+$/, // a module path: aws-cdk-lib/aws-appsync.CfnApiKey
  /^[a-z]+(?:-[a-z]+)+$/, // kebab-case-words
  /^[a-z]+(?:_[a-z]+)+$/, // snake_case_words
  /^[^\w\s][A-Za-z_$][\w$]*$/, // a sigil and a name: ?NoLineTerminator, #private, @scope
]

/** Code or a reference whatever digits it holds: never a credential's value. */
const neverValues: RegExp[] = [
  /\$\{|\{\{|\}\}|^\$[A-Za-z_(]|^%[\w.]+%$|^#\{/, // interpolation and variables
  /^[a-z][\w+.-]*:\/\//i, // a URL: the connection-string rule judges it
  /^(?:urn|arn|aws|data|mailto|tel|file):/i, // a URN, an ARN, a data URI
  /^@[\w.-]+\//, // a scoped package or flag: @aws-cdk/aws-rds:…
  /^[)\]},;]/, // the rest of a line of code after a string
  /[A-Za-z_$][\w$]*\(|\)[.,;?]|&&|\|\|/, // a call, or operators: code, not a value
  /^[a-z][a-z0-9]*(?:-[a-z0-9]+){2,}$/, // header and resource names: x-aws-ec2-metadata-token
  /^eyJ/, // a JSON Web Token: the JWT rule judges it, signed or not
  // Lower-case path segments, digits or not: aws-cdk-lib/aws-ec2.CfnIpamToken, alias/aws/s3 (never base64).
  /^@?[a-z][a-z0-9-]*(?:\/[a-z][a-z0-9-]*)+(?:\.[A-Za-z]\w*)?$/,
]

/** Keys in a row (`asdf`, `qwerty`, `zxcvb`, `12345`): typed to fill a field, in tests and docs. */
const keyboardRows = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm', '1234567890']
const isKeyboardWalk = (lower: string) =>
  lower.length >= 4 && lower.length <= 10 && keyboardRows.some((row) => row.includes(lower))

const upperShare = (value: string) => (value.match(/[A-Z]/g)?.length ?? 0) / value.length

function characterClasses(value: string): number {
  return (
    Number(/[a-z]/.test(value)) +
    Number(/[A-Z]/.test(value)) +
    Number(/[0-9]/.test(value)) +
    Number(/[^A-Za-z0-9]/.test(value))
  )
}

/** Files where a value is written bare (`password: hunter2`, `DB_PASS=…`): configuration, not code. */
const configFile =
  /(?:^|\/)(?:\.env(?:\.[\w-]+)?|[\w.-]*\.(?:env|ini|cfg|conf|properties|toml|ya?ml|sh|bash|zsh|ps1|bat|cmd)|Dockerfile[\w.-]*|\.npmrc|\.pypirc|\.netrc|pgpass)$/i

/**
 * A bare (unquoted) value is a value only where values are written bare: configuration files, query
 * strings (`?access_token=…`) and command-line flags (`--password=…`); in code it is a variable.
 */
export function isWrittenAsValue(place: MatchPlace): boolean {
  return (
    place.group === 1 ||
    configFile.test(place.path) ||
    /(?:\/[^\s'"?]*\?(?:[^\s'"]*&)?|(?:^|\s)--?)[\w.-]*$/.test(place.before.replace(/\s*(?::=|=>|=|:)\s*$/, ''))
  )
}

/**
 * Whether a value given a credential's name looks like one: not code, not a placeholder, not prose in
 * another language, not a dictionary word with a number (`admin123`, a documented default), and either
 * mixed (two or more character classes: `P4ssw0rd`, `s3cr3t!`, `ncc-1701`) or long and varied (a token
 * of one case, `ASDVAJSDUASZGDIADBJS`). A bare (unquoted) value counts only where values are written
 * bare: configuration files, query strings (`?access_token=…`) and command-line flags (`--password=…`).
 */
export function looksLikeCredential(value: string, place?: MatchPlace): boolean {
  if (place && !namesACredential(place.before)) return false
  // `state === 'pass' ? 'pass' : 'fail'`: a ternary's branch, not a key.
  if (place && /\?[ \t]*\\?["'\x60]?[\w.-]+\\?["'\x60]?[ \t]*:[ \t]*\\?["'\x60]?$/.test(place.before)) return false
  if (place && !isWrittenAsValue(place)) return false
  // A password compared with a literal is checked against it; a token or key compared with one is a
  // lexer's or a parser's (`token === '--require'`, `encryptionKey === 'alias/aws/s3'`).
  if (place && /[=!]==?[ \t]*\\?["'\x60]?$/.test(place.before) && !isPasswordKey(place.before)) return false
  const lower = value.toLowerCase()
  if (emptyValues.has(lower) || isKeyboardWalk(lower)) return false
  // An image URL's query token (`badge.svg?token=…`): a read-only graph token made to be published in READMEs.
  if (place && /\.(?:svg|png)\?(?:[^\s'"]*&)?[\w.-]*[ \t]*=[ \t]*$/i.test(place.before)) return false
  if (/\p{L}/u.test(value.replace(/[A-Za-z]/g, ''))) return false // letters beyond ASCII: translated text
  if (/^[a-z]{3,12}[0-9]{1,4}[!.]?$/i.test(value) && !/[A-Z].*[a-z]|[a-z].*[A-Z]/.test(value)) return false // admin123
  if (neverValues.some((shape) => shape.test(value))) return false
  // An enum member named after itself (`ClientPasswordAuthType.MYSQL_NATIVE_PASSWORD = "MYSQL_NATIVE_PASSWORD"`).
  if (place && tailOf(keyOf(place.before)) === tailOf(lower)) return false
  // A password is often an ordinary word (`kunigunde`, `demo`): quoted under a password's name, it counts
  // unless it is written as code is (camelCase, CONSTANT_CASE, kebab-case).
  if (place?.group === 1 && isPasswordKey(place.before) && /^[A-Za-z]+$|^[A-Z][a-z]+$/.test(value))
    return !/[a-z][A-Z]/.test(value) && value.length >= 4
  // A long run of one case (`ASDVAJSDUASZGDIADBJS`, a base32 TOTP secret) is random, not a name.
  if (/^(?:[A-Z2-7]{16,}|[a-z2-7]{16,})$/.test(value) && shannonEntropy(value) >= 3) return true
  // Letters of both cases, changing case as often as chance would (`oFTFANiyJQFQuK`): random, not a camelCase name.
  if (
    /^[A-Za-z]{10,}$/.test(value) &&
    upperShare(value) >= 0.25 &&
    upperShare(value) <= 0.8 &&
    shannonEntropy(value) >= 3.2
  )
    return true
  if (codeShapes.some((shape) => shape.test(value)) && !/\d/.test(value)) return false
  if (/^[\w$]+\(|^[\w$.]+\.[A-Za-z_$][\w$]*\(/.test(value)) return false
  if (/^\d+$/.test(value) && value.length < 8) return false // a port, a count, a PIN-sized number
  const classes = characterClasses(value)
  if (value.length < 8) return classes >= 3
  if (classes >= 2) return shannonEntropy(value) >= 2.5
  return value.length >= 12 && shannonEntropy(value) >= 3
}
