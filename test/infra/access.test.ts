// The access map (infra/aws/access.ts) against the code: each function is bundled the way Lambda gets it,
// but with the AWS SDK inlined so esbuild's tree-shaking keeps only the SDK commands the code can reach.
// Each command class names its operation ("GetItem", "PutObject"); those operations must need exactly the
// declared access: nothing missing (an AccessDenied in AWS), nothing extra (least privilege).
import { readdirSync, readFileSync } from 'node:fs'
import { build } from 'esbuild'
import { beforeAll, describe, expect, it } from 'vitest'
import { type Access, access, type FunctionName } from '../../infra/aws/access.js'

type Need = string
// What each operation needs, at the map's levels. Which queue an SQS operation goes to is a URL chosen at
// run time, so queue needs are compared without the queue (the map names it; access.ts says why).
const needs: Record<string, Need[]> = {
  GetItem: ['table:read'],
  BatchGetItem: ['table:read'],
  Query: ['table:read'],
  PutItem: ['table:write'],
  UpdateItem: ['table:write'],
  DeleteItem: ['table:write'],
  BatchWriteItem: ['table:write'],
  TransactWriteItems: ['table:write'],
  DescribeTable: ['table:describe'],
  GetObject: ['uploads:read'],
  HeadObject: ['uploads:read'],
  PutObject: ['uploads:write'],
  ListObjectsV2: ['uploads:list'],
  DeleteObjects: ['uploads:delete'],
  HeadBucket: ['uploads:head'],
  SendMessage: ['queue:send'],
  SendMessageBatch: ['queue:send'],
  ChangeMessageVisibility: ['queue:extend'],
  GetQueueAttributes: ['queue:attributes'],
  ReceiveMessage: ['queue:receive'],
  DeleteMessageBatch: ['queue:receive'],
  GetSecretValue: ['signingKey:true'],
}
// Commands the SDK itself carries and Vega never sends: the credential chain (STS, SSO), DynamoDB
// endpoint discovery, S3 Express sessions. Scan is in every bundle (lib-dynamodb keeps its module), so
// a function needs it when a module of ours that sends a ScanCommand made it into the bundle.
const sdkInternal = new Set([
  'AssumeRole',
  'AssumeRoleWithWebIdentity',
  'CreateOAuth2Token',
  'CreateOAuth2TokenWithIAM',
  'CreateToken',
  'GetRoleCredentials',
  'DescribeEndpoints',
  'CreateSession',
  'Scan',
])

const documentOperations: Record<string, string> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
  TransactWrite: 'TransactWriteItems',
}

const names = readdirSync('functions', { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name as FunctionName)
const operations = {} as Record<FunctionName, string[]>
/** Which queue an operation goes to is not in its command; the queue URLs a bundle reads from config() are. */
const queueUrls = { scanQueue: 'SCAN_QUEUE_URL', deadLetterQueue: 'SCAN_DLQ_URL', webhookQueue: 'WEBHOOK_QUEUE_URL' }
const queuesRead = {} as Record<FunctionName, string[]>
const scanners = {} as Record<FunctionName, string[]>

beforeAll(async () => {
  for (const name of names) {
    const result = await build({
      entryPoints: [`functions/${name}/handler.ts`],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      mainFields: ['module', 'main'],
      minify: true,
      write: false,
      outfile: `/tmp/vega-access-${name}.mjs`,
      external: ['@ast-grep/*'],
      logLevel: 'silent',
      metafile: true,
    })
    const inputs = Object.values(result.metafile.outputs)[0]!.inputs
    scanners[name] = Object.entries(inputs)
      .filter(([path, input]) => !path.startsWith('node_modules/') && input.bytesInOutput > 0)
      .filter(([path]) => /\bScanCommand\b/.test(readFileSync(path, 'utf8')))
      .map(([path]) => path)
    const text = result.outputFiles[0]!.text
    // SDK v3 commands: `class extends command(endpoint, middleware, "Operation", schema){}`.
    const found = [...text.matchAll(/class extends [\w$]+\([\w$]+,[\w$]+,"(\w+)",[\w$]+\)\{\}/g)].map((m) => m[1]!)
    // A command taken from a package loaded on first use (shared/aws/clients.ts `sdk`), by property or by
    // destructuring: `.DescribeTableCommand`, `{DescribeTableCommand:a}`.
    // The document client's commands name their operation without its `Item` (shared/data/db.ts `commands`).
    for (const m of text.matchAll(/(?:\.|[{,])([A-Z]\w*)Command(?:\b(?!:)|:[\w$]+[,}])/g))
      found.push(documentOperations[m[1]!] ?? m[1]!)
    operations[name] = [...new Set(found)].sort()
    // `config().X` or a destructuring `{X:a}`; the config schema's own `X:z()` is neither.
    queuesRead[name] = Object.entries(queueUrls)
      .filter(([, variable]) => new RegExp(`(\\.${variable}\\b|[{,]${variable}:[\\w$]+[,}])`).test(text))
      .map(([queue]) => queue)
      .sort()
  }
}, 120_000)

function declaredNeeds(declared: Access): Need[] {
  const needs = Object.entries(declared).flatMap(([kind, levels]) =>
    levels === true
      ? [`${kind}:true`]
      : (levels as string[]).map((l) => `${/Queue$/.test(kind) ? 'queue' : kind}:${l}`),
  )
  return [...new Set(needs)].sort()
}

describe('the access map', () => {
  it('covers every function folder, and only those', () => {
    expect(names.sort()).toEqual(Object.keys(access).sort())
  })

  it('finds the SDK operations in the bundles (the detection still works with this SDK)', () => {
    expect(operations.health).toEqual(expect.arrayContaining(['DescribeTable', 'HeadBucket', 'GetQueueAttributes']))
    expect(operations['git-uploads']).toEqual(
      expect.arrayContaining(['PutObject', 'SendMessage', 'TransactWriteItems']),
    )
  })

  it.each(names)('grants %s exactly what its code can reach', (name) => {
    const unknown = operations[name].filter((op) => !needs[op] && !sdkInternal.has(op))
    const needed = [
      ...new Set([
        ...operations[name].flatMap((op) => needs[op] ?? []),
        ...(scanners[name].length ? ['table:scan'] : []),
      ]),
    ].sort()

    expect(unknown).toEqual([])
    expect(declaredNeeds(access[name])).toEqual(needed)
  })

  it.each(names)('lets %s reach exactly the queues whose URLs its code reads', (name) => {
    const declared = Object.keys(access[name])
      .filter((kind) => kind in queueUrls)
      .sort()

    expect(declared).toEqual(queuesRead[name])
  })

  it('finds the queue URLs the code reads (the detection still works with this bundler)', () => {
    expect(queuesRead.health).toEqual(['scanQueue'])
    expect(queuesRead['webhook-worker']).toEqual(['webhookQueue'])
    expect(queuesRead.projects).toEqual(['scanQueue'])
  })

  it('finds the modules that send a Scan', () => {
    expect(scanners.cleanup).toEqual(['shared/data/ops.ts'])
  })
})
