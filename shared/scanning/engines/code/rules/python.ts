// Python rules (tree-sitter-python through @ast-grep/lang-python).
import type { Rule } from '@ast-grep/napi'
import { argumentRules, type CodeRule, insideSecretNamed, secretName, sqlText, ssrf } from '../rule.js'

const call = (callee: string, ...conditions: Rule[]): Rule => ({
  kind: 'call',
  all: [{ has: { field: 'function', regex: callee } }, ...conditions],
})

const { argumentsHave, argumentsContain, nthArgument } = argumentRules('argument_list')
const keyword = (pattern: string): Rule => argumentsHave({ kind: 'keyword_argument', regex: pattern })

/** Flask, Django and Starlette request input: `request.args`, `request.GET`, `request.json`, ... */
const requestInput: Rule = {
  kind: 'attribute',
  regex: '^request\\.(args|form|values|files|json|data|GET|POST|cookies|headers|query_params|path_params)\\b',
}
const isOrHasRequestInput: Rule = { any: [requestInput, { has: { stopBy: 'end', ...requestInput } }] }

const computedPart: Rule = {
  any: [{ kind: 'identifier' }, { kind: 'attribute' }, { kind: 'subscript' }, { kind: 'call' }],
}

/** A value computed at run time: a name, a call, an operation, an f-string with a placeholder. */
const dynamicValue: Rule = {
  any: [
    { kind: 'identifier', not: { regex: '^None$' } },
    { kind: 'attribute' },
    { kind: 'subscript' },
    { kind: 'call' },
    { kind: 'await' },
    { kind: 'binary_operator', has: { stopBy: 'end', ...computedPart } },
    { kind: 'string', has: { kind: 'interpolation' } },
  ],
}

const escaped: Rule = { kind: 'call', regex: '^[\\w.]*(?i:escape|sanitize|bleach\\.clean|clean)\\(' }

// Command injection, code injection and deserialization are found by data flow (flow/python-taint.ts):
// as patterns they flagged every call with a variable, safe or not.
export const pythonRules: CodeRule[] = [
  {
    id: 'py-sql-injection',
    title: 'SQL query built by formatting, concatenation or an f-string',
    severity: 'high',
    cwe: ['CWE-89'],
    fix: 'Pass values as query parameters (`cursor.execute("... WHERE id = %s", (id,))`, SQLAlchemy bound parameters) instead of formatting them into the SQL.',
    rule: call(
      '(\\.(execute|executemany|executescript|raw|extra)|^(sqlalchemy\\.)?text)$',
      nthArgument(1, {
        any: [
          { kind: 'string', regex: sqlText, has: { kind: 'interpolation' } },
          { kind: 'binary_operator', regex: sqlText, has: { stopBy: 'end', ...computedPart } },
          { kind: 'call', regex: sqlText, has: { field: 'function', kind: 'attribute', regex: '\\.format$' } },
        ],
      }),
    ),
  },
  {
    id: 'py-path-traversal',
    title: 'File path taken from the request',
    severity: 'high',
    cwe: ['CWE-22'],
    fix: 'Serve files with send_from_directory or werkzeug.utils.secure_filename, or resolve the path and check it stays under a fixed base.',
    rule: call(
      '^(open|io\\.open|os\\.(remove|unlink|listdir|rmdir)|shutil\\.(rmtree|copy|copyfile|move)|(flask\\.)?send_file|(pathlib\\.)?Path|FileResponse)$',
      argumentsContain(requestInput),
      { not: argumentsContain({ kind: 'call', regex: '^[\\w.]*(secure_filename|basename)\\(' }) },
    ),
  },
  {
    id: 'py-ssrf',
    ...ssrf,
    rule: call(
      '^((requests|httpx)\\.(get|post|put|patch|delete|head)|(urllib\\.request\\.|urllib2\\.)?urlopen|urllib\\.request\\.Request)$',
      nthArgument(1, isOrHasRequestInput),
    ),
  },
  {
    id: 'py-weak-hash',
    title: 'MD5 or SHA-1 used on a password or secret',
    severity: 'medium',
    cwe: ['CWE-328', 'CWE-916'],
    fix: 'Hash passwords with hashlib.scrypt, argon2 or bcrypt (with a salt); use SHA-256 or better for other secrets.',
    rule: {
      all: [
        {
          any: [
            call('^hashlib\\.(md5|sha1|md4)$'),
            call('^hashlib\\.new$', nthArgument(1, { kind: 'string', regex: '(?i)^["\'](md4|md5|sha1)["\']$' })),
          ],
        },
        {
          any: [
            // The secret is hashed in the call itself...
            { has: { field: 'arguments', regex: secretName } },
            // ...or fed later through update(), in a function that handles a password or secret. A checksum
            // of a body (an ETag) is neither.
            {
              all: [
                { has: { field: 'arguments', regex: '(?i)^\\(\\s*([\'"](md4|md5|sha1)[\'"])?\\s*\\)$' } },
                { inside: { kind: 'function_definition', stopBy: 'end', regex: secretName } },
              ],
            },
          ],
        },
        { not: keyword('^usedforsecurity\\s*=\\s*False$') },
      ],
    },
  },
  {
    id: 'py-weak-cipher',
    title: 'Broken cipher or ECB mode',
    severity: 'medium',
    cwe: ['CWE-327'],
    fix: 'Use AES-GCM (cryptography AESGCM) or ChaCha20-Poly1305 with a random nonce.',
    rule: {
      any: [
        call('^(DES|DES3|ARC2|ARC4|Blowfish|CAST|XOR)\\.new$'),
        call('^AES\\.new$', argumentsHave({ regex: '^(AES\\.)?MODE_ECB$' })),
        call('^(algorithms\\.)?(TripleDES|ARC4|Blowfish|IDEA|CAST5|SEED)$'),
        call('^modes\\.ECB$'),
      ],
    },
  },
  {
    id: 'py-weak-random',
    title: 'The random module used for a secret value',
    severity: 'medium',
    cwe: ['CWE-330', 'CWE-338'],
    fix: 'Generate tokens, passwords and nonces with the secrets module (secrets.token_urlsafe, secrets.choice).',
    rule: {
      ...call(
        '^random\\.(random|randint|randrange|choice|choices|getrandbits|sample|uniform|randbytes|normalvariate|gauss|triangular|betavariate|expovariate|lognormvariate|vonmisesvariate|paretovariate|weibullvariate)$',
      ),
      inside: insideSecretNamed([
        ['assignment', 'left'],
        ['function_definition', 'name'],
        // A function that keeps sessions, cookies or tokens: the number is most likely one of them.
        ['function_definition', 'body'],
        ['keyword_argument', 'name'],
        ['pair', 'key'],
      ]),
    },
  },
  {
    id: 'py-insecure-cookie',
    title: 'Cookie sent without the Secure flag, or readable by scripts',
    severity: 'medium',
    cwe: ['CWE-614', 'CWE-1004'],
    fix: 'Set cookies with secure=True and httponly=True (and samesite), or set SESSION_COOKIE_SECURE for Flask sessions.',
    // Flask, Werkzeug, Django and Starlette all default `secure` to false: a cookie is safe only when told.
    rule: call('\\.set_cookie$', {
      any: [{ not: keyword('^secure\\s*=\\s*True$') }, keyword('^httponly\\s*=\\s*False$')],
    }),
  },
  {
    id: 'py-tls-verification-disabled',
    title: 'TLS certificate verification disabled',
    severity: 'high',
    cwe: ['CWE-295'],
    fix: 'Keep verification on; trust a private CA with verify="/path/to/ca.pem" or ssl.create_default_context(cafile=...).',
    rule: {
      any: [
        { kind: 'keyword_argument', regex: '^verify\\s*=\\s*False$', inside: { kind: 'argument_list' } },
        { kind: 'keyword_argument', regex: '^cert_reqs\\s*=\\s*(ssl\\.CERT_NONE|["\']CERT_NONE["\'])$' },
        call('^ssl\\._create_unverified_context$'),
        {
          kind: 'assignment',
          any: [
            { regex: '^[\\w.]+\\.check_hostname\\s*=\\s*False$' },
            { regex: '^[\\w.]+\\.verify_mode\\s*=\\s*ssl\\.CERT_NONE$' },
            { regex: '^ssl\\._create_default_https_context\\s*=\\s*ssl\\._create_unverified_context$' },
          ],
        },
      ],
    },
  },
  {
    id: 'py-xss',
    title: 'Unescaped data written as HTML',
    severity: 'medium',
    cwe: ['CWE-79'],
    fix: 'Render through a Jinja2 template with autoescaping (render_template), and wrap only escaped values in Markup.',
    rule: {
      any: [
        call('^((markupsafe|flask|jinja2)\\.)?Markup$', nthArgument(1, { all: [dynamicValue, { not: escaped }] })),
        call('^(flask\\.)?render_template_string$', nthArgument(1, dynamicValue)),
        call('^(django\\.utils\\.safestring\\.)?mark_safe$', nthArgument(1, { all: [dynamicValue, { not: escaped }] })),
        {
          kind: 'return_statement',
          has: {
            any: [{ kind: 'string', has: { kind: 'interpolation' } }, { kind: 'binary_operator' }],
            has: { stopBy: 'end', ...requestInput },
          },
        },
      ],
    },
  },
]
