// JavaScript rules; the same objects run on TypeScript and TSX (their grammars extend JavaScript's).
import type { Rule } from '@ast-grep/napi'
import { argumentRules, type CodeRule, secretName, sqlText } from '../rule.js'

/** A call whose callee's text matches `callee` (anchored by the caller) and meets every condition. */
const call = (callee: string, ...conditions: Rule[]): Rule => ({
  kind: 'call_expression',
  all: [{ has: { field: 'function', regex: callee } }, ...conditions],
})

/** Express/Koa request input: `req.query.x`, `request.body`, `ctx.request.params`, ... */
const requestInput: Rule = {
  kind: 'member_expression',
  regex: '^(req|request|ctx|ctx\\.request)\\.(query|params|body|headers|cookies)\\b',
}

const { argumentsHave, argumentsContain, nthArgument } = argumentRules('arguments')

/** A value computed at run time, as opposed to a literal written in the source. */
const dynamicValue: Rule = {
  any: [
    { kind: 'identifier', not: { regex: '^undefined$' } },
    { kind: 'member_expression' },
    { kind: 'subscript_expression' },
    { kind: 'call_expression' },
    { kind: 'await_expression' },
    { kind: 'binary_expression' },
    { kind: 'template_string', has: { kind: 'template_substitution' } },
  ],
}

/** A part of an expression that is not a literal: what makes a concatenation worth a look. */
const computedPart: Rule = {
  any: [
    { kind: 'identifier' },
    { kind: 'member_expression' },
    { kind: 'subscript_expression' },
    { kind: 'call_expression' },
  ],
}

/** The request input itself, or a string built around it. */
const requestText: Rule = {
  any: [
    requestInput,
    { any: [{ kind: 'template_string' }, { kind: 'binary_expression' }], has: { stopBy: 'end', ...requestInput } },
  ],
}

/** Escaping or sanitising on the way in makes an HTML sink safe. */
const sanitized: Rule = { kind: 'call_expression', regex: '^[\\w.]*(?i:sanitize|escape|purify|encode)' }
const unsanitizedValue: Rule = { all: [dynamicValue, { not: sanitized }] }

export const javascriptRules: CodeRule[] = [
  {
    id: 'js-command-injection',
    title: 'Shell command built from a variable',
    severity: 'critical',
    cwe: ['CWE-78'],
    fix: 'Call execFile/spawn with a fixed program and an argument array (no shell), and validate every argument against an allow-list.',
    rule: {
      // An explicit `all` keeps the order: the whole-file child_process check runs only on the few calls
      // that passed the cheap tests, never on every node (which made the scan twice as slow).
      all: [
        {
          any: [
            call('^((child_process|childProcess|cp)\\.)?(exec|execSync)$', nthArgument(1, dynamicValue)),
            call(
              '^((child_process|childProcess|cp)\\.)?(spawn|spawnSync|execFile|execFileSync)$',
              nthArgument(1, dynamicValue),
              argumentsHave({
                kind: 'object',
                has: {
                  kind: 'pair',
                  all: [{ has: { field: 'key', regex: '^shell$' } }, { has: { field: 'value', kind: 'true' } }],
                },
              }),
            ),
          ],
        },
        // `exec` alone is a common name (regex helpers, wrap-ansi's exec): only files that load child_process.
        {
          inside: {
            stopBy: 'end',
            kind: 'program',
            has: { stopBy: 'end', kind: 'string', regex: '^["\'](node:)?child_process["\']$' },
          },
        },
      ],
    },
  },
  {
    id: 'js-code-injection',
    title: 'Code evaluated from a variable',
    severity: 'critical',
    cwe: ['CWE-94', 'CWE-95'],
    fix: 'Never evaluate data as code: parse it (JSON.parse) or dispatch to a fixed set of functions.',
    rule: {
      any: [
        call('^((window|global|globalThis)\\.)?eval$', nthArgument(1, dynamicValue)),
        call('^Function$', argumentsHave(dynamicValue)),
        {
          kind: 'new_expression',
          all: [{ has: { field: 'constructor', regex: '^Function$' } }, argumentsHave(dynamicValue)],
        },
        call('^(vm\\.)?(runInNewContext|runInThisContext|runInContext|compileFunction)$', nthArgument(1, dynamicValue)),
        {
          kind: 'new_expression',
          all: [{ has: { field: 'constructor', regex: '^vm\\.Script$' } }, nthArgument(1, dynamicValue)],
        },
        call(
          '^(setTimeout|setInterval)$',
          nthArgument(1, {
            any: [{ kind: 'binary_expression' }, { kind: 'template_string', has: { kind: 'template_substitution' } }],
          }),
        ),
      ],
    },
  },
  {
    id: 'js-sql-injection',
    title: 'SQL query built by concatenation or a template string',
    severity: 'high',
    cwe: ['CWE-89'],
    fix: 'Pass values as bound parameters (`?`/`$1` placeholders, or a tagged `sql` template) instead of splicing them into the query text.',
    rule: call(
      '\\.(query|execute|exec|raw|whereRaw|run|all|prepare|\\$queryRawUnsafe|\\$executeRawUnsafe)$',
      nthArgument(1, {
        any: [
          { kind: 'binary_expression', regex: sqlText, has: { stopBy: 'end', ...computedPart } },
          { kind: 'template_string', regex: sqlText, has: { kind: 'template_substitution' } },
        ],
      }),
    ),
  },
  {
    id: 'js-path-traversal',
    title: 'File path taken from the request',
    severity: 'high',
    cwe: ['CWE-22'],
    fix: 'Resolve the path against a fixed base directory and reject it unless it stays inside (or keep only path.basename of the input).',
    rule: {
      all: [
        {
          any: [
            call(
              '^((fs|fsp|fs\\.promises|promises)\\.)?(readFile|readFileSync|createReadStream|writeFile|writeFileSync|createWriteStream|appendFile|appendFileSync|unlink|unlinkSync|rm|rmSync|readdir|readdirSync|open|openSync)$',
              argumentsContain(requestInput),
            ),
            call('^res\\.(sendFile|download)$', argumentsContain(requestInput), {
              not: argumentsHave({ kind: 'object', has: { kind: 'pair', has: { field: 'key', regex: '^root$' } } }),
            }),
          ],
        },
        { not: argumentsContain({ kind: 'call_expression', has: { field: 'function', regex: 'basename$' } }) },
      ],
    },
  },
  {
    id: 'js-ssrf',
    title: 'Outgoing request to a URL taken from the request',
    severity: 'high',
    cwe: ['CWE-918'],
    fix: 'Never fetch a caller-chosen URL: map the input to an allow-listed host, or validate scheme, host and resolved address first.',
    rule: call(
      '^(fetch|axios|axios\\.(get|post|put|patch|delete|head|request)|got|got\\.(get|post)|request|needle|superagent\\.(get|post)|https?\\.(get|request))$',
      nthArgument(1, { any: [requestInput, { has: { stopBy: 'end', ...requestInput } }] }),
    ),
  },
  {
    id: 'js-insecure-deserialization',
    title: 'Deserialization that can run code',
    severity: 'high',
    cwe: ['CWE-502'],
    fix: 'Use JSON.parse (and a schema) for data; node-serialize, funcster and js-yaml full schemas revive functions.',
    rule: {
      any: [
        call('(^|\\.)(unserialize|deepDeserialize)$', nthArgument(1, dynamicValue)),
        call('^(yaml|jsyaml|jsYaml|YAML)\\.load$', argumentsContain({ regex: '^DEFAULT_FULL_SCHEMA$' })),
      ],
    },
  },
  {
    id: 'js-weak-hash',
    title: 'MD5 or SHA-1 used on a password or secret',
    severity: 'medium',
    cwe: ['CWE-328', 'CWE-916'],
    fix: 'Hash passwords with scrypt, argon2 or bcrypt (with a salt); use SHA-256 or better for other secrets.',
    rule: {
      kind: 'call_expression',
      all: [
        {
          has: {
            field: 'function',
            kind: 'member_expression',
            all: [
              { has: { field: 'property', regex: '^update$' } },
              {
                has: {
                  field: 'object',
                  kind: 'call_expression',
                  regex: '(?i)^[\\w.]*createHash\\(\\s*["\'`](md4|md5|sha1)["\'`]',
                },
              },
            ],
          },
        },
        { has: { field: 'arguments', regex: secretName } },
      ],
    },
  },
  {
    id: 'js-weak-cipher',
    title: 'Broken cipher or ECB mode',
    severity: 'medium',
    cwe: ['CWE-327'],
    fix: 'Use AES-256-GCM (or ChaCha20-Poly1305) with a random IV from crypto.randomBytes.',
    rule: {
      any: [
        call(
          '^(crypto\\.)?(createCipheriv|createDecipheriv)$',
          nthArgument(1, {
            kind: 'string',
            regex: '(?i)^["\'](des|des-ede|des-ede3|des-ede3-cbc|des-cbc|rc4|rc2|bf|blowfish)([-"\'])|-ecb["\']$',
          }),
        ),
        call('^(crypto\\.)?(createCipher|createDecipher)$'),
      ],
    },
  },
  {
    id: 'js-weak-random',
    title: 'Math.random used for a secret value',
    severity: 'medium',
    cwe: ['CWE-338'],
    fix: 'Generate tokens, passwords and nonces with crypto.randomBytes, crypto.randomUUID or crypto.getRandomValues.',
    rule: {
      kind: 'call_expression',
      regex: '^Math\\.random\\(\\)$',
      inside: {
        stopBy: 'end',
        any: [
          { kind: 'variable_declarator', has: { field: 'name', regex: secretName } },
          { kind: 'assignment_expression', has: { field: 'left', regex: secretName } },
          { kind: 'pair', has: { field: 'key', regex: secretName } },
          { kind: 'function_declaration', has: { field: 'name', regex: secretName } },
          { kind: 'method_definition', has: { field: 'name', regex: secretName } },
        ],
      },
    },
  },
  {
    id: 'js-tls-verification-disabled',
    title: 'TLS certificate verification disabled',
    severity: 'high',
    cwe: ['CWE-295'],
    fix: 'Keep certificate verification on; trust a private CA by passing its certificate as `ca` instead.',
    rule: {
      any: [
        {
          kind: 'pair',
          all: [
            { has: { field: 'key', regex: '^["\']?(rejectUnauthorized|strictSSL)["\']?$' } },
            { has: { field: 'value', kind: 'false' } },
          ],
        },
        {
          kind: 'assignment_expression',
          all: [
            { has: { field: 'left', regex: 'NODE_TLS_REJECT_UNAUTHORIZED' } },
            { has: { field: 'right', regex: '^["\'`]?0["\'`]?$' } },
          ],
        },
        {
          kind: 'assignment_expression',
          all: [
            { has: { field: 'left', regex: '\\.rejectUnauthorized$' } },
            { has: { field: 'right', kind: 'false' } },
          ],
        },
      ],
    },
  },
  {
    id: 'js-xss',
    title: 'Unescaped data written as HTML',
    severity: 'medium',
    cwe: ['CWE-79'],
    fix: 'Write text with textContent (or let the framework escape it); sanitise HTML that must stay HTML with DOMPurify.',
    rule: {
      any: [
        {
          any: [{ kind: 'assignment_expression' }, { kind: 'augmented_assignment_expression' }],
          all: [
            { has: { field: 'left', kind: 'member_expression', regex: '\\.(innerHTML|outerHTML)$' } },
            { has: { field: 'right', ...unsanitizedValue } },
          ],
        },
        call('^document\\.(write|writeln)$', nthArgument(1, unsanitizedValue)),
        call('\\.insertAdjacentHTML$', nthArgument(2, unsanitizedValue)),
        call('^res\\.(send|write|end)$', nthArgument(1, requestText)),
      ],
    },
  },
  {
    id: 'js-react-dangerous-html',
    title: 'Unsanitised data in dangerouslySetInnerHTML',
    severity: 'medium',
    cwe: ['CWE-79'],
    fix: 'Render the value as text, or pass it through DOMPurify.sanitize before handing it to __html.',
    // TypeScript's grammar (.ts files) has no JSX, and an unknown kind fails the whole rule set.
    only: ['javascript', 'tsx'],
    rule: {
      kind: 'jsx_attribute',
      regex: '^dangerouslySetInnerHTML\\b',
      has: {
        stopBy: 'end',
        kind: 'pair',
        all: [
          { has: { field: 'key', regex: '^["\']?__html["\']?$' } },
          { has: { field: 'value', ...unsanitizedValue } },
        ],
      },
    },
  },
]
