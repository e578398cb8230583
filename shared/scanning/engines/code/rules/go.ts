// Go rules (tree-sitter-go through @ast-grep/lang-go). Written with kinds and regexes rather than
// patterns: a lone `pkg.Func(x)` pattern parses as a type conversion in Go and silently matches nothing.
import type { Rule } from '@ast-grep/napi'
import { argumentRules, type CodeRule, insideSecretNamed, secretName, sqlText, ssrf } from '../rule.js'

const call = (callee: string, ...conditions: Rule[]): Rule => ({
  kind: 'call_expression',
  all: [{ has: { field: 'function', regex: callee } }, ...conditions],
})

const { argumentsHave, argumentsContain, nthArgument } = argumentRules('argument_list')

/** net/http, gorilla/mux, gin and echo request input. */
const requestInput: Rule = {
  any: [
    {
      kind: 'call_expression',
      regex:
        '^((r|req|request)\\.(FormValue|PostFormValue|URL\\.Query\\(\\)\\.Get|Header\\.Get)|(c|ctx)\\.(Query|DefaultQuery|Param|PostForm|FormValue|QueryParam|GetHeader))\\(',
    },
    { kind: 'selector_expression', regex: '^(r|req|request)\\.URL\\.(Path|RawQuery)$' },
    { kind: 'index_expression', regex: '^mux\\.Vars\\(' },
  ],
}
const isOrHasRequestInput: Rule = { any: [requestInput, { has: { stopBy: 'end', ...requestInput } }] }

const computedPart: Rule = {
  any: [
    { kind: 'identifier' },
    { kind: 'selector_expression' },
    { kind: 'call_expression' },
    { kind: 'index_expression' },
  ],
}

const dynamicValue: Rule = {
  any: [...(computedPart.any ?? []), { kind: 'binary_expression', has: { stopBy: 'end', ...computedPart } }],
}

/** `fmt.Sprintf("SELECT ... %s", x)` or `"SELECT ... " + x`. */
const builtSql: Rule = {
  any: [
    call('^fmt\\.Sprintf$', nthArgument(1, { regex: sqlText })),
    { kind: 'binary_expression', regex: sqlText, has: { stopBy: 'end', ...computedPart } },
  ],
}

const unescapedRequestInput: Rule[] = [
  argumentsContain(requestInput),
  { not: argumentsContain({ kind: 'call_expression', regex: '^[\\w.]*(EscapeString|HTMLEscapeString|Sanitize)\\(' }) },
]

export const goRules: CodeRule[] = [
  {
    id: 'go-command-injection',
    title: 'Shell command built from a variable',
    severity: 'critical',
    cwe: ['CWE-78'],
    fix: 'Run the program directly with exec.Command(name, args...) and no shell; validate arguments against an allow-list.',
    rule: {
      any: [
        call(
          '^exec\\.Command(Context)?$',
          argumentsHave({ regex: '^"(/bin/|/usr/bin/)?(sh|bash|zsh|dash|ksh|cmd|cmd\\.exe|powershell)"$' }),
          argumentsHave({ regex: '^"(-c|/c|-Command)"$', precedes: { stopBy: 'end', ...dynamicValue } }),
        ),
        call('^exec\\.Command(Context)?$', argumentsContain(requestInput)),
      ],
    },
  },
  {
    id: 'go-sql-injection',
    title: 'SQL query built with fmt.Sprintf or concatenation',
    severity: 'high',
    cwe: ['CWE-89'],
    fix: 'Pass values as query arguments (`db.Query("... WHERE id = $1", id)`) instead of formatting them into the SQL.',
    rule: call(
      '\\.(Query|QueryRow|Exec|QueryContext|QueryRowContext|ExecContext|Prepare|PrepareContext|Raw|Select|Get)$',
      argumentsHave(builtSql),
    ),
  },
  {
    id: 'go-path-traversal',
    title: 'File path taken from the request',
    severity: 'high',
    cwe: ['CWE-22'],
    fix: 'Keep only filepath.Base of the input, or join it to a fixed base and check the cleaned result stays inside (os.Root on Go 1.24+).',
    rule: call(
      '^(os\\.(Open|OpenFile|ReadFile|Create|WriteFile|Remove|RemoveAll|ReadDir)|ioutil\\.(ReadFile|WriteFile|ReadDir)|http\\.ServeFile|c\\.File)$',
      argumentsContain(requestInput),
      { not: argumentsContain({ kind: 'call_expression', regex: '^(filepath|path)\\.Base\\(' }) },
    ),
  },
  {
    id: 'go-ssrf',
    ...ssrf,
    rule: {
      any: [
        call('^(http|[\\w.]*[cC]lient)\\.(Get|Head|Post|PostForm)$', nthArgument(1, isOrHasRequestInput)),
        call('^http\\.NewRequest$', nthArgument(2, isOrHasRequestInput)),
        call('^http\\.NewRequestWithContext$', nthArgument(3, isOrHasRequestInput)),
      ],
    },
  },
  {
    id: 'go-weak-hash',
    title: 'MD5 or SHA-1 used on a password or secret',
    severity: 'medium',
    cwe: ['CWE-328', 'CWE-916'],
    fix: 'Hash passwords with golang.org/x/crypto/argon2, scrypt or bcrypt; use SHA-256 or better for other secrets.',
    rule: call('^(md5|sha1)\\.Sum$', { has: { field: 'arguments', regex: secretName } }),
  },
  {
    // Any other MD5 or SHA-1 digest (a checksum, a cache key): low, but collisions are practical.
    // hmac.New(sha1.New, key) passes the constructor as a value, not a call, and is not flagged.
    id: 'go-weak-digest',
    title: 'MD5 or SHA-1 digest (collisions are practical)',
    severity: 'low',
    cwe: ['CWE-328'],
    fix: 'Use crypto/sha256 (sha256.Sum256, sha256.New) or better; for passwords use argon2, scrypt or bcrypt.',
    rule: {
      all: [
        call('^(md5|sha1)\\.(Sum|New)$'),
        { not: call('^(md5|sha1)\\.Sum$', { has: { field: 'arguments', regex: secretName } }) },
      ],
    },
  },
  {
    id: 'go-weak-cipher',
    title: 'Broken cipher (DES, 3DES, RC4)',
    severity: 'medium',
    cwe: ['CWE-327'],
    fix: 'Use AES-GCM (crypto/cipher NewGCM) or golang.org/x/crypto/chacha20poly1305.',
    rule: call('^(des\\.(NewCipher|NewTripleDESCipher)|rc4\\.NewCipher)$'),
  },
  {
    id: 'go-weak-random',
    title: 'math/rand used for a secret value',
    severity: 'medium',
    cwe: ['CWE-338'],
    fix: 'Generate tokens, passwords and nonces with crypto/rand (rand.Read, rand.Text).',
    rule: {
      kind: 'call_expression',
      all: [
        {
          has: {
            field: 'function',
            regex: '^rand\\.(Int|Intn|IntN|Int31|Int31n|Int63|Int63n|Uint32|Uint64|Read|Float64|Perm|N|Shuffle)$',
          },
        },
        {
          inside: {
            stopBy: 'end',
            kind: 'source_file',
            has: { stopBy: 'end', kind: 'import_spec', regex: '^"math/rand(/v2)?"$' },
          },
        },
        {
          inside: insideSecretNamed(
            [
              ['function_declaration', 'name'],
              ['short_var_declaration', 'left'],
              ['assignment_statement', 'left'],
              ['var_spec', 'name'],
            ],
            { kind: 'keyed_element', regex: `^${secretName}\\w*\\s*:` },
          ),
        },
      ],
    },
  },
  {
    id: 'go-tls-verification-disabled',
    title: 'TLS certificate verification disabled',
    severity: 'high',
    cwe: ['CWE-295'],
    fix: 'Remove InsecureSkipVerify; trust a private CA by adding it to tls.Config.RootCAs.',
    rule: {
      any: [
        { kind: 'keyed_element', regex: '^InsecureSkipVerify\\s*:\\s*true$' },
        { kind: 'assignment_statement', regex: '\\.InsecureSkipVerify\\s*=\\s*true$' },
      ],
    },
  },
  {
    id: 'go-xss',
    title: 'Unescaped data written as HTML',
    severity: 'medium',
    cwe: ['CWE-79'],
    fix: 'Let html/template escape values; convert to template.HTML only constants or sanitised HTML (bluemonday).',
    rule: {
      any: [
        call('^template\\.(HTML|HTMLAttr|JS|URL|CSS|Srcset)$', nthArgument(1, dynamicValue)),
        call('^fmt\\.(Fprint|Fprintf|Fprintln)$', nthArgument(1, { regex: '^w$' }), ...unescapedRequestInput),
        call('^io\\.WriteString$', nthArgument(1, { regex: '^w$' }), ...unescapedRequestInput),
        call('^w\\.Write$', ...unescapedRequestInput),
      ],
    },
  },
]
