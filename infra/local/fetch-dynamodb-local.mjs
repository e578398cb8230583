// Fetches DynamoDB Local (the jar and its native libraries) once, into .cache/dynamodb-local.
// The jar ships inside the npm package amplify-dynamodb-simulator, whose full install costs ~350 MB of
// unrelated dependencies; `npm pack` + extracting its emulator/ folder costs ~64 MB and ~4 s.
// The jar's licence forbids redistribution, so it is fetched from the registry and never committed.
// Plain JavaScript: npm may run this postinstall on the machine's Node 20.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const DYNAMODB_LOCAL_PACKAGE = 'amplify-dynamodb-simulator@2.9.30'
export const dynamoDbLocalDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../.cache/dynamodb-local')

export function ensureDynamoDbLocal(log = (line) => console.log(line)) {
  const jar = join(dynamoDbLocalDir, 'DynamoDBLocal.jar')
  if (existsSync(jar)) return jar
  log(`vega: fetching DynamoDB Local from ${DYNAMODB_LOCAL_PACKAGE} (about 57 MB, once)…`)
  const work = mkdtempSync(join(tmpdir(), 'vega-ddb-'))
  try {
    const tarball = execFileSync('npm', ['pack', '--silent', DYNAMODB_LOCAL_PACKAGE], { cwd: work, encoding: 'utf8' })
      .trim()
      .split('\n')
      .pop()
    execFileSync('tar', ['-xzf', join(work, tarball), '-C', work, 'package/emulator'])
    mkdirSync(dirname(dynamoDbLocalDir), { recursive: true })
    rmSync(dynamoDbLocalDir, { recursive: true, force: true })
    // rename last, so an interrupted fetch never leaves a half-extracted folder behind
    renameSync(join(work, 'package/emulator'), dynamoDbLocalDir)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  log(`vega: DynamoDB Local ready in ${dynamoDbLocalDir}`)
  return jar
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) ensureDynamoDbLocal()
