// Java rules (tree-sitter-java through @ast-grep/lang-java).
import type { Rule } from '@ast-grep/napi'
import { argumentRules, type CodeRule, insideSecretNamed, secretName, sqlText, ssrf } from '../rule.js'

/** `object.name(...)`; `object` is matched against the receiver's text when given. */
const invoke = (name: string, object?: string, ...conditions: Rule[]): Rule => ({
  kind: 'method_invocation',
  all: [
    { has: { field: 'name', regex: name } },
    ...(object ? [{ has: { field: 'object', regex: object } }] : []),
    ...conditions,
  ],
})

const create = (type: string, ...conditions: Rule[]): Rule => ({
  kind: 'object_creation_expression',
  all: [{ has: { field: 'type', regex: type } }, ...conditions],
})

const { argumentsHave, argumentsContain, nthArgument } = argumentRules('argument_list')

/** Servlet request input. */
const requestInput: Rule = {
  kind: 'method_invocation',
  regex:
    '^(request|req|httpRequest|servletRequest)\\.(getParameter|getParameterValues|getHeader|getQueryString|getPathInfo|getRequestURI|getCookies)\\(',
}
const isOrHasRequestInput: Rule = { any: [requestInput, { has: { stopBy: 'end', ...requestInput } }] }

const computedPart: Rule = {
  any: [{ kind: 'identifier' }, { kind: 'field_access' }, { kind: 'method_invocation' }, { kind: 'array_access' }],
}
const dynamicValue: Rule = {
  any: [...(computedPart.any ?? []), { kind: 'binary_expression', has: { stopBy: 'end', ...computedPart } }],
}

const builtSql: Rule = {
  any: [
    { kind: 'binary_expression', regex: sqlText, has: { stopBy: 'end', ...computedPart } },
    invoke('^format$', '^String$', nthArgument(1, { regex: sqlText })),
  ],
}

const escaped: Rule = { kind: 'method_invocation', regex: '(?i)(escape|encode|forHtml|sanitize)\\w*\\(' }

export const javaRules: CodeRule[] = [
  {
    id: 'java-command-injection',
    title: 'Shell command built from a variable',
    severity: 'critical',
    cwe: ['CWE-78'],
    fix: 'Run a fixed program with ProcessBuilder and a list of arguments (no shell); validate arguments against an allow-list.',
    rule: {
      any: [
        invoke('^exec$', '(getRuntime\\(\\)|^runtime|^rt)$', nthArgument(1, dynamicValue)),
        create('^ProcessBuilder$', argumentsContain(requestInput)),
        create(
          '^ProcessBuilder$',
          argumentsHave({ regex: '^"(/bin/)?(sh|bash|zsh|cmd|cmd\\.exe)"$' }),
          argumentsHave({ regex: '^"(-c|/c)"$', precedes: { stopBy: 'end', ...dynamicValue } }),
        ),
      ],
    },
  },
  {
    id: 'java-code-injection',
    title: 'Script or expression evaluated from a variable',
    severity: 'critical',
    cwe: ['CWE-94', 'CWE-917'],
    fix: 'Never evaluate data as code: dispatch to a fixed set of operations, or evaluate SpEL with a SimpleEvaluationContext.',
    rule: {
      any: [
        invoke('^eval$', '(?i)(engine|nashorn|graal|script)', nthArgument(1, dynamicValue)),
        invoke('^evaluate$', '(?i)shell', nthArgument(1, dynamicValue)),
        invoke('^parseExpression$', undefined, nthArgument(1, dynamicValue)),
      ],
    },
  },
  {
    id: 'java-sql-injection',
    title: 'SQL query built by concatenation or String.format',
    severity: 'high',
    cwe: ['CWE-89'],
    fix: 'Use a PreparedStatement with `?` placeholders (or JPA parameters) and bind the values.',
    rule: invoke(
      '^(executeQuery|executeUpdate|executeLargeUpdate|execute|addBatch|prepareStatement|prepareCall|createQuery|createNativeQuery|createSQLQuery|query|queryForObject|queryForList|queryForMap|update|batchUpdate)$',
      undefined,
      nthArgument(1, builtSql),
    ),
  },
  {
    id: 'java-path-traversal',
    title: 'File path taken from the request',
    severity: 'high',
    cwe: ['CWE-22'],
    fix: 'Keep only the file name (Paths.get(input).getFileName()), or resolve against a base directory and check the normalised path still starts with it.',
    rule: {
      all: [
        {
          any: [
            create(
              '^(java\\.io\\.)?(File|FileInputStream|FileOutputStream|FileReader|FileWriter|RandomAccessFile)$',
              argumentsContain(requestInput),
            ),
            invoke('^(get|of)$', '^(Paths|Path)$', argumentsContain(requestInput)),
          ],
        },
        { not: argumentsContain({ kind: 'method_invocation', regex: '(FilenameUtils\\.getName|getFileName)\\(' }) },
        // Paths.get(input).getFileName() is how the file name alone is kept.
        { not: { inside: { kind: 'method_invocation', has: { field: 'name', regex: '^getFileName$' } } } },
      ],
    },
  },
  {
    id: 'java-ssrf',
    ...ssrf,
    rule: {
      any: [
        create('^(java\\.net\\.)?URL$', nthArgument(1, isOrHasRequestInput)),
        invoke('^create$', '^URI$', nthArgument(1, isOrHasRequestInput)),
        invoke(
          '^(getForObject|getForEntity|postForObject|postForEntity|exchange|execute)$',
          '(?i)(restTemplate|template|client)$',
          nthArgument(1, isOrHasRequestInput),
        ),
      ],
    },
  },
  {
    id: 'java-insecure-deserialization',
    title: 'Deserialization that can run code',
    severity: 'high',
    cwe: ['CWE-502'],
    fix: 'Do not deserialize untrusted bytes with Java serialization; use JSON with a fixed schema, or an ObjectInputFilter allow-list.',
    rule: {
      any: [
        create('^(java\\.io\\.)?(ObjectInputStream|XMLDecoder)$'),
        invoke('^fromXML$', '(?i)xstream'),
        invoke('^enableDefaultTyping$'),
        { kind: 'method_invocation', regex: '^new\\s+Yaml\\(\\s*\\)\\.(load|loadAll)\\(' },
      ],
    },
  },
  {
    id: 'java-weak-hash',
    title: 'MD5 or SHA-1 used on a password or secret',
    severity: 'medium',
    cwe: ['CWE-328', 'CWE-916'],
    fix: 'Hash passwords with PBKDF2WithHmacSHA256, bcrypt or argon2 (with a salt); use SHA-256 or better for other secrets.',
    rule: invoke('^getInstance$', '^(java\\.security\\.)?MessageDigest$', {
      all: [
        nthArgument(1, { regex: '(?i)^"(md2|md4|md5|sha-?1)"$' }),
        { inside: { stopBy: 'end', kind: 'method_declaration', regex: secretName } },
      ],
    }),
  },
  {
    id: 'java-weak-cipher',
    title: 'Broken cipher or ECB mode',
    severity: 'medium',
    cwe: ['CWE-327'],
    fix: 'Use "AES/GCM/NoPadding" with a random 12-byte IV (plain "AES" means ECB).',
    rule: invoke(
      '^getInstance$',
      '^(javax\\.crypto\\.)?Cipher$',
      nthArgument(1, {
        kind: 'string_literal',
        // ECB is only a flaw for block ciphers: "RSA/ECB/OAEP..." is the usual, safe RSA transformation.
        regex: '(?i)^"(des|desede|tripledes|rc2|rc4|arcfour|blowfish)(/|")|^"aes"$|^"aes(_\\d+)?/ecb/',
      }),
    ),
  },
  {
    id: 'java-weak-random',
    title: 'java.util.Random used for a secret value',
    severity: 'medium',
    cwe: ['CWE-338'],
    fix: 'Generate tokens, passwords and nonces with java.security.SecureRandom.',
    rule: {
      all: [
        {
          any: [
            create('^(java\\.util\\.)?Random$'),
            invoke('^random$', '^Math$'),
            invoke('^next(Int|Long|Bytes|Double|Float|Boolean)$', '^(random|rand|rnd|rng|RANDOM|RNG)$', {
              inside: {
                stopBy: 'end',
                kind: 'class_declaration',
                all: [
                  {
                    has: {
                      stopBy: 'end',
                      kind: 'object_creation_expression',
                      regex: '^new\\s+(java\\.util\\.)?Random\\(',
                    },
                  },
                  // With a SecureRandom in the class too, the receiver may well be that one.
                  {
                    not: {
                      has: { stopBy: 'end', kind: 'object_creation_expression', regex: '^new\\s+SecureRandom\\(' },
                    },
                  },
                ],
              },
            }),
          ],
        },
        {
          inside: insideSecretNamed([
            ['method_declaration', 'name'],
            ['variable_declarator', 'name'],
          ]),
        },
      ],
    },
  },
  {
    id: 'java-tls-verification-disabled',
    title: 'TLS certificate or host name verification disabled',
    severity: 'high',
    cwe: ['CWE-295'],
    fix: 'Use the default TrustManager and HostnameVerifier; trust a private CA by loading it into a KeyStore for the TrustManagerFactory.',
    rule: {
      any: [
        {
          kind: 'method_declaration',
          all: [
            { has: { field: 'name', regex: '^checkServerTrusted$' } },
            { has: { field: 'body', regex: '^\\{\\s*(//[^\\n]*\\s*)*\\}$' } },
          ],
        },
        {
          kind: 'method_declaration',
          all: [
            { has: { field: 'name', regex: '^verify$' } },
            { has: { field: 'parameters', regex: 'SSLSession' } },
            { has: { field: 'body', regex: '^\\{\\s*(//[^\\n]*\\s*)*return\\s+true\\s*;\\s*\\}$' } },
          ],
        },
        invoke(
          '^set(Default)?HostnameVerifier$',
          undefined,
          argumentsHave({
            any: [
              { kind: 'lambda_expression', has: { field: 'body', regex: '^true$' } },
              {
                regex:
                  '(NoopHostnameVerifier\\.INSTANCE|ALLOW_ALL_HOSTNAME_VERIFIER|new\\s+NoopHostnameVerifier\\(\\))$',
              },
            ],
          }),
        ),
      ],
    },
  },
  {
    id: 'java-xss',
    title: 'Request parameter written to the response unescaped',
    severity: 'medium',
    cwe: ['CWE-79'],
    fix: 'Escape output for HTML (OWASP Encoder Encode.forHtml) or render through a template engine that escapes.',
    rule: invoke(
      '^(write|print|println|append|format|printf)$',
      '(getWriter\\(\\)|^out|^writer|^pw)$',
      argumentsContain(requestInput),
      { not: argumentsContain(escaped) },
    ),
  },
]
