// JavaScript rules; the same objects run on TypeScript and TSX (their grammars extend JavaScript's).
import type { Rule } from '@ast-grep/napi'
import { argumentRules, type CodeRule, insideSecretNamed, secretName, sqlText, ssrf } from '../rule.js'

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

/** `crypto.createHash('md5')` (or md4, sha1), any capitalisation. */
const weakHashCall: Rule = call('^[\\w.]*createHash$', nthArgument(1, { regex: '(?i)^["\'`](md4|md5|sha-?1)["\'`]$' }))

/** `createHash('md5').update(password)`: a weak digest of a value named as a secret. */
const weakHashOfSecret: Rule = {
  kind: 'call_expression',
  all: [
    {
      has: {
        field: 'function',
        kind: 'member_expression',
        all: [{ has: { field: 'property', regex: '^update$' } }, { has: { field: 'object', ...weakHashCall } }],
      },
    },
    { has: { field: 'arguments', regex: secretName } },
  ],
}

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
    ...ssrf,
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
    rule: weakHashOfSecret,
  },
  {
    // Any other MD5 or SHA-1 digest: often a checksum or cache key, so low, but collisions are practical
    // and the same helper ends up hashing passwords (juice-shop's `hash(data)`); HMAC is not flagged.
    id: 'js-weak-digest',
    title: 'MD5 or SHA-1 digest (collisions are practical)',
    severity: 'low',
    cwe: ['CWE-328'],
    fix: 'Use SHA-256 or better (crypto.createHash("sha256")); for passwords use scrypt, argon2 or bcrypt.',
    rule: { all: [weakHashCall, { not: { inside: { stopBy: 'end', ...weakHashOfSecret } } }] },
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
      inside: insideSecretNamed([
        ['variable_declarator', 'name'],
        ['assignment_expression', 'left'],
        ['pair', 'key'],
        ['function_declaration', 'name'],
        ['method_definition', 'name'],
      ]),
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
  {
    id: 'js-angular-sanitizer-bypass',
    title: 'Angular sanitisation bypassed for a computed value',
    severity: 'medium',
    cwe: ['CWE-79'],
    fix: 'Bind the value as text and let Angular sanitise it; call bypassSecurityTrust* only on constants you wrote.',
    rule: call('\\.bypassSecurityTrust\\w*$', nthArgument(1, dynamicValue)),
  },
  {
    id: 'js-directory-listing',
    title: 'Directory listing served over HTTP',
    severity: 'medium',
    cwe: ['CWE-548'],
    fix: 'Serve the files a client needs by name (express.static without an index middleware) and keep listings off.',
    rule: call('^(serveIndex|serve_index|express\\.directory|directory)$', nthArgument(1, { kind: 'string' })),
  },
  {
    id: 'js-log-files-served',
    title: 'Log files served over HTTP',
    severity: 'medium',
    cwe: ['CWE-532'],
    fix: 'Keep logs off the web server; ship them to a log store that requires authentication.',
    rule: call(
      '^(app|router|server)\\.(use|get|all)$',
      nthArgument(1, { kind: 'string', regex: '^["\'`](/[\\w.-]+)*/logs?(/|["\'`])' }),
    ),
  },
  {
    id: 'js-url-substring-check',
    title: 'URL accepted by a substring match',
    severity: 'medium',
    cwe: ['CWE-601'],
    fix: 'Parse the URL and compare its origin (or the whole URL) exactly against the allow-list; `includes` accepts https://evil.example/?https://good.example.',
    rule: call(
      '(?i)^[\\w.]*(url|uri|href|redirect|redirectTo|returnTo|origin|referr?er|hostname|host|domain|location|target)\\.(includes|indexOf)$',
      nthArgument(1, { any: [{ kind: 'identifier' }, { kind: 'member_expression' }, { kind: 'call_expression' }] }),
    ),
  },
  {
    id: 'js-rate-limit-spoofable-key',
    title: 'Rate limit keyed on a client-supplied forwarding header',
    severity: 'medium',
    cwe: ['CWE-348'],
    fix: "Key the limiter on req.ip and configure Express's `trust proxy` for the proxies you run, instead of reading X-Forwarded-For yourself.",
    rule: {
      any: [
        { kind: 'method_definition', has: { field: 'name', regex: '^keyGenerator$' } },
        { kind: 'pair', has: { field: 'key', regex: '^["\']?keyGenerator["\']?$' } },
      ],
      has: {
        stopBy: 'end',
        kind: 'string',
        regex: '(?i)^["\'`](x-forwarded-for|forwarded|x-real-ip|x-client-ip|true-client-ip|cf-connecting-ip)["\'`]$',
      },
    },
  },
  {
    id: 'js-metrics-exposed',
    title: 'Metrics endpoint served without any middleware in front',
    severity: 'low',
    cwe: ['CWE-200'],
    fix: 'Put authentication (or a network restriction) in front of /metrics, or serve it on an internal port.',
    rule: call(
      '^(app|router|server)\\.(get|use|all)$',
      nthArgument(1, { kind: 'string', regex: '^["\'`]/(metrics|prometheus)["\'`]$' }),
      { has: { field: 'arguments', not: { has: { nthChild: 3 } } } },
    ),
  },
  {
    id: 'js-insecure-cookie',
    title: 'Session cookie without Secure or HttpOnly',
    severity: 'medium',
    cwe: ['CWE-614', 'CWE-1004'],
    fix: 'Set `secure: true` and `httpOnly: true` on session cookies (with `sameSite`).',
    rule: {
      kind: 'pair',
      all: [
        { has: { field: 'key', regex: '^["\']?(secure|httpOnly)["\']?$' } },
        { has: { field: 'value', kind: 'false' } },
      ],
      inside: { kind: 'object', inside: { kind: 'pair', has: { field: 'key', regex: '^["\']?cookie["\']?$' } } },
    },
  },
  {
    id: 'js-template-autoescape-off',
    title: 'Template engine with HTML escaping turned off',
    severity: 'medium',
    cwe: ['CWE-79'],
    fix: 'Keep autoescaping on and mark the few trusted fragments safe one by one.',
    rule: {
      kind: 'pair',
      any: [
        {
          all: [
            { has: { field: 'key', regex: '^["\']?autoescape["\']?$' } },
            { has: { field: 'value', kind: 'false' } },
          ],
        },
        {
          all: [{ has: { field: 'key', regex: '^["\']?noEscape["\']?$' } }, { has: { field: 'value', kind: 'true' } }],
        },
      ],
    },
  },
  {
    id: 'js-xxe',
    title: 'XML parsed with external entities enabled',
    severity: 'high',
    cwe: ['CWE-611'],
    fix: 'Parse with `noent: false` (the default) and no DTD loading.',
    rule: call(
      '(?i)(parseXml|parseXmlString|parseXmlAsync|xmlParse)$',
      argumentsHave({
        kind: 'object',
        has: {
          kind: 'pair',
          all: [{ has: { field: 'key', regex: '^["\']?noent["\']?$' } }, { has: { field: 'value', kind: 'true' } }],
        },
      }),
    ),
  },
  {
    id: 'js-jwt-weak',
    title: 'JSON Web Token accepted unsigned or signed with a key in the source',
    severity: 'high',
    cwe: ['CWE-347'],
    fix: "Verify with an explicit algorithm list that excludes 'none', and load the key from configuration or a secret store.",
    rule: {
      any: [
        call('^(jwt|jsonwebtoken|JWT)\\.(sign|verify)$', nthArgument(2, { kind: 'string' })),
        {
          kind: 'pair',
          has: { field: 'key', regex: '^["\']?algorithms?["\']?$' },
          all: [{ has: { field: 'value', stopBy: 'end', kind: 'string', regex: '(?i)^["\'`]none["\'`]$' } }],
        },
      ],
    },
  },
]
