// Secrets known by their name: the keyword rule judges a value by its key, its place and its shape.
import { describe, expect, it } from 'vitest'
import { matchSecrets } from '../../shared/scanning/engines/secrets/matcher.js'

const found = (text: string, path = 'src/app.ts') =>
  matchSecrets(`${text}\n`, path).matches.map((match) => [match.rule.id, match.secret])

describe('values named as credentials', () => {
  it('finds short and ordinary passwords by their key, quoted or in a JSON string', () => {
    expect(found(`const dbPassword = "P4ssw0rd"`)).toEqual([['generic-password', 'P4ssw0rd']])
    expect(found(`login({ password: 's3cr3t!' })`)).toEqual([['generic-password', 's3cr3t!']])
    expect(found(`body: "{\\"access_token\\":\\"vp7jxTwqgczoFHs0uIdOvv4V\\"}"`)).toEqual([
      ['generic-password', 'vp7jxTwqgczoFHs0uIdOvv4V'],
    ])
    expect(found(`"tokens":["99b8958b9408b1ac","88a7847a8397a09b"]`)).toEqual([
      ['generic-password', '99b8958b9408b1ac'],
    ])
    expect(found(`const totpSecret = 'ASDVAJSDUASZGDIADBJS'`)).toEqual([['generic-password', 'ASDVAJSDUASZGDIADBJS']])
  })

  it('leaves keys typed in a row and published badge tokens alone', () => {
    expect(found(`user.safeParse({ password: "asdf", confirmPassword: "qwerty" })`)).toEqual([])
    expect(found(`const password = "asdf9Lm2"`)).toEqual([['generic-password', 'asdf9Lm2']])
    expect(found('[![codecov](https://codecov.io/gh/acme/app/graph/badge.svg?token=4ZDJA2BMOH)]', 'README.md')).toEqual(
      [],
    )
    expect(found(`fetch('https://api.acme.io/v1/items.json?token=4ZDJA2BMOH')`)).toEqual([
      ['generic-password', '4ZDJA2BMOH'],
    ])
  })

  it('takes bare values only where values are written bare: configuration, query strings, flags', () => {
    expect(found('DB_PASSWORD=Zq9!fk2Lm', '.env')).toEqual([['generic-password', 'Zq9!fk2Lm']])
    expect(found('  password: Zq9fk2Lm!x', 'config/database.yml')).toEqual([['generic-password', 'Zq9fk2Lm!x']])
    expect(found(`fetch('https://api.acme.io/v1/items?access_token=f00Ba7Qux9Zed')`)).toEqual([
      ['generic-password', 'f00Ba7Qux9Zed'],
    ])
    expect(found('mysql --user=app --password=strongp@55! --host=db')).toEqual([['generic-password', 'strongp@55!']])
    expect(found('let credentials;return options.credentialsRole?credentials=opts.role:x', 'dist/index.js')).toEqual([])
    expect(found('secret: Uint8Array,', 'src/keys.ts')).toEqual([])
  })

  it('leaves code, placeholders, prose and names alone', () => {
    for (const line of [
      `password: process.env.DB_PASSWORD`,
      `password: config.get('db.password')`,
      `password: '\${DB_PASSWORD}'`,
      `password: 'password'`,
      `password: 'admin123'`,
      `"LABEL_PASSWORD": "Contraseña"`,
      `"LABEL_TWO_FACTOR_AUTH_TOKEN": "2FAトークン"`,
      `const bypass = 'Zq9!fk2Lm'`,
      `passport: 'Zq9!fk2Lm'`,
      `tokenType: 'Zq9!fk2Lm'`,
      `Type.MYSQL_NATIVE_PASSWORD = "MYSQL_NATIVE_PASSWORD"`,
      `"AWS::AppSync::ApiKey": "aws-cdk-lib/aws-appsync.CfnApiKey"`,
      `'Lock-Token': 'urn:uuid:e71d4fae-5dec-22d6-fea5-00a0c91e6be4'`,
      `const X_AWS_EC2_METADATA_TOKEN = "x-aws-ec2-metadata-token"`,
      `lastSignificantToken = "?NoLineTerminator"`,
      `url: 'postgres://app:Zq9fk2Lm@db/app', token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0'`,
    ])
      expect(
        found(line).filter(([rule]) => rule === 'generic-password'),
        line,
      ).toEqual([])
  })
})

describe('passwords in URLs of any scheme', () => {
  it('finds user:password@host, and not placeholders, variables or a user name repeated', () => {
    expect(found(`url = "jdbc:mysql://admin:str0ngP4ss@db.acme.io:3306/app"`)).toEqual([
      ['database-url-credentials', 'admin:str0ngP4ss'],
    ])
    expect(found(`"mongodb+srv://app:myR3alP@ssw0rd@cluster0.mongodb.net/db"`)).toEqual([
      ['database-url-credentials', 'app:myR3alP@ssw0rd'],
    ])
    for (const line of [
      `"mongodb://username:password@localhost:27017/db"`,
      `"mysql://user:\${PASSWORD}@example.com/db"`,
      `"postgres://postgres:postgres@localhost/db"`,
      `"https://user:pass@example.com"`,
      `"https://YOUR_USERNAME:YOUR_PASSWORD@api.service.com"`,
      `"https://user:1111@service.com"`,
    ])
      expect(found(line), line).toEqual([])
  })
})
