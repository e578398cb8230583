// Passwords known by the syntax around them, and the keyword rule's extended keys.
import { describe, expect, it } from 'vitest'
import { matchSecrets } from '../../shared/scanning/engines/secrets/matcher.js'

const found = (text: string, path = 'src/app.ts') =>
  matchSecrets(`${text}\n`, path).matches.map((match) => [match.rule.id, match.secret])

describe('passwords set by syntax', () => {
  it('finds passwords in SQL, on database command lines and in connection strings', () => {
    expect(found(`CREATE USER app WITH PASSWORD 'Zk8!pq2w';`, 'db/init.sql')).toEqual([['sql-password', 'Zk8!pq2w']])
    expect(found(`ALTER ROLE etl WITH LOGIN PASSWORD 'kunigunde';`, 'db/init.sql')).toEqual([
      ['sql-password', 'kunigunde'],
    ])
    expect(found(`CREATE USER 'app'@'%' IDENTIFIED BY 'hunter22';`, 'db/init.sql')).toEqual([
      ['sql-password', 'hunter22'],
    ])
    expect(found('mysql -u root -pS3cretPw -h db', 'ops/backup.sh')).toEqual([['cli-password', 'S3cretPw']])
    expect(found(`sshpass -p 'w1nter-is-here' ssh deploy@host`, 'ops/run.sh')).toEqual([
      ['cli-password', 'w1nter-is-here'],
    ])
    expect(found(`var cs = "Server=db;Database=app;User Id=sa;Password=Tr0ub4dor3;";`, 'src/Db.cs')).toEqual([
      ['connection-string-password', 'Tr0ub4dor3'],
    ])
    expect(found(`pyodbc.connect("DRIVER={SQL Server};SERVER=db;UID=sa;PWD=Tr0ub4dor3")`, 'db.py')).toEqual([
      ['connection-string-password', 'Tr0ub4dor3'],
    ])
    expect(found(`"jdbc:sqlserver://db:1433;user=sa;password=Tr0ub4dor3"`, 'src/Db.java')).toEqual([
      ['connection-string-password', 'Tr0ub4dor3'],
    ])
  })

  it('finds passwords handed to credential constructors, setters and signing calls', () => {
    expect(found(`var cred = new NetworkCredential("admin", "Tr0ub4dor&3");`)).toEqual([
      ['credential-call-password', 'Tr0ub4dor&3'],
    ])
    expect(found(`return new PasswordAuthentication("mailer", "s3nd-it");`)).toEqual([
      ['credential-call-password', 's3nd-it'],
    ])
    expect(found(`requests.get(url, auth=("bob", "kunigunde"))`, 'client.py')).toEqual([
      ['credential-call-password', 'kunigunde'],
    ])
    expect(found(`dataSource.setPassword("Tr0ub4dor3");`)).toEqual([['credential-call-password', 'Tr0ub4dor3']])
    expect(found(`jwt.sign(payload, 'mySuperSecretKey42', { expiresIn: '1h' })`)).toEqual([
      ['signing-secret-literal', 'mySuperSecretKey42'],
    ])
    expect(found(`crypto.createHmac('sha256', 'k3yF0rHm4cS1gn1ng')`)).toEqual([
      ['signing-secret-literal', 'k3yF0rHm4cS1gn1ng'],
    ])
  })

  it('leaves stand-ins, variables, templates and prompts alone', () => {
    for (const [line, path] of [
      [`CREATE USER app WITH PASSWORD 'password';`, 'db/init.sql'],
      [`CREATE USER app WITH PASSWORD '\${DB_PASSWORD}';`, 'db/init.sql'],
      [`ALTER USER app IDENTIFIED BY '********';`, 'db/init.sql'],
      [`CREATE USER app WITH PASSWORD '%s';`, 'db/init.sql'],
      ['mysql -u root -p -h db', 'ops/backup.sh'],
      ['mysql -u root -p$MYSQL_PWD -h db', 'ops/backup.sh'],
      [`var cs = $"Server=db;User Id=sa;Password={password};";`, 'src/Db.cs'],
      [`var cs = "Server=db;User Id=sa;Password=<your-password>;";`, 'src/Db.cs'],
      [`"Password=\${DB_PASSWORD};Server=db"`, 'src/Db.cs'],
      [`new NetworkCredential("admin", "{{password}}")`, 'src/Share.cs'],
      [`dataSource.setPassword(System.getenv("DB_PASSWORD"));`, 'src/Db.java'],
      [`jwt.sign(payload, process.env.JWT_SECRET)`, 'src/auth.ts'],
      [`jwt.sign(payload, 'secret')`, 'src/auth.ts'],
    ])
      expect(found(line!, path), line).toEqual([])
  })
})

describe('keys that name a password', () => {
  it('matches stop words against the whole value, not a part of it', () => {
    expect(found(`const dbPassword = "passW0rd!"`)).toEqual([['generic-password', 'passW0rd!']])
    expect(found(`password: 'password'`)).toEqual([])
  })

  it('reads prefixed environment variables, confirmation fields and comparisons', () => {
    expect(found('PGPASSWORD=Zk8pq2w psql -h db', 'ops/restore.sh')).toEqual([['generic-password', 'Zk8pq2w']])
    expect(found(`passwordConfirmation: 'Tr0ub4dor3',`)).toEqual([['generic-password', 'Tr0ub4dor3']])
    expect(found(`if (req.body.password === 'J6aVjT!9qZ') {}`)).toEqual([['generic-password', 'J6aVjT!9qZ']])
    expect(found('BYPASS=Zk8pq2w', '.env')).toEqual([])
    expect(found(`if (state.password === otherState.password) {}`)).toEqual([])
    expect(found(`if (token === '--require' || token === '-r') {}`)).toEqual([])
    expect(found(`if (encryptionKey === 'alias/aws/s3') {}`)).toEqual([])
    expect(found(`pass: "passed",`)).toEqual([])
  })

  it('reports vendor default passwords at low severity instead of dropping them', () => {
    const [match] = matchSecrets(`password: 'changeme'\n`, 'src/app.ts').matches
    expect([match?.rule.id, match?.rule.severity, match?.secret]).toEqual(['default-password', 'low', 'changeme'])
    expect(found('  password: changeit', 'config/keystore.yml')).toEqual([['default-password', 'changeit']])
    expect(found('  username: root', 'config/db.yml')).toEqual([])
    expect(found('const password = root', 'src/app.ts')).toEqual([])
  })
})

describe('passphrases, one-time-password seeds and session cookies', () => {
  it('finds a passphrase of a few words under a password name, and not interface text', () => {
    expect(found(`  password: 'uss enterprise'`, 'data/users.yml')).toEqual([['password-passphrase', 'uss enterprise']])
    expect(found(`login({ password: "Mr. N00dles" })`)).toEqual([['password-passphrase', 'Mr. N00dles']])
    for (const line of [
      `const password = 'Enter your password'`,
      `password: 'Too short.'`,
      `passwordHint: 'blue moon'`,
      `password: '\${first} \${second}'`,
    ])
      expect(found(line), line).toEqual([])
    expect(found(`password: 'mot de passe'`, 'src/i18n/fr.ts')).toEqual([])
  })

  it('finds base32 seeds handed to an authenticator, and not runs of one letter', () => {
    expect(found(`authenticator.generate('IFTXE3SPOEYVURT2MRYGI52TKJ4HC3KH')`)).toEqual([
      ['totp-secret-literal', 'IFTXE3SPOEYVURT2MRYGI52TKJ4HC3KH'],
    ])
    expect(found(`authenticator.generate('AAAAAAAAAAAAAAAAAAAA')`)).toEqual([])
    expect(found('authenticator.generate(user.totpSecret)')).toEqual([])
  })

  it('finds framework session cookies in recorded traffic, and not expired or templated ones', () => {
    const signed = 's%3AFkrpEHCCrdXVdhqCoBAEXYMwx_t8KOLv.U6Z26UZJ4KuomZ%2B2ZnIBa7RyXGT3ySL3fAjCvRWZPtI'
    expect(found(`    - app.sid=${signed}; Path=/`, 'spec/cassettes/login.yml')).toEqual([['session-cookie', signed]])
    expect(found(`Cookie: 'PHPSESSID=9f3kq2m7x1v8c4b6n0z5l2p7r3'`)).toEqual([
      ['session-cookie', '9f3kq2m7x1v8c4b6n0z5l2p7r3'],
    ])
    expect(found('connect.sid=deleted; Expires=Thu, 01 Jan 1970 00:00:00 GMT')).toEqual([])
    expect(found(`JSESSIONID=\${SESSION_ID}`)).toEqual([])
    expect(found(`io.connect('/?sid=Zk8pq2wAbc9dQ1x2y3z4')`)).toEqual([])
  })
})

describe('passwords in XML configuration and .netrc', () => {
  it('finds element, appSettings and netrc passwords, judged by shape', () => {
    expect(found('<server><id>nexus</id><password>s3cr3t!Pw</password></server>', 'settings.xml')).toEqual([
      ['config-markup-password', 's3cr3t!Pw'],
    ])
    expect(found('<add key="DbPassword" value="Tr0ub4dor3" />', 'Web.config')).toEqual([
      ['config-markup-password', 'Tr0ub4dor3'],
    ])
    expect(found('machine api.acme.io login me@acme.io password 0a1b2c3d4e5f6a7b8c9d', '.netrc')).toEqual([
      ['config-markup-password', '0a1b2c3d4e5f6a7b8c9d'],
    ])
    for (const line of [
      `<password>\${env.NEXUS_PASSWORD}</password>`,
      '<password>password</password>',
      '<token>string</token>',
    ])
      expect(found(line, 'settings.xml'), line).toEqual([])
  })
})

describe('stand-ins the keyword rule leaves alone', () => {
  it('drops whole stand-in words and module paths with digits', () => {
    for (const line of [
      `"password": "mypassword"`,
      `payload: { username: 'user', password: 'pass' }`,
      `const GCP_SERVICE_ACCOUNT_P12_PASSWORD = "notasecret";`,
      `"AWS::Route53::KeySigningKey": "aws-cdk-lib/aws-route53.CfnKeySigningKey",`,
    ])
      expect(found(line), line).toEqual([])
  })
})
