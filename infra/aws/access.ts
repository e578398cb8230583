// Least privilege as data: what each function may touch, at the level the code needs, rendered into IAM
// statements with explicit actions on named resources. test/infra/access.test.ts bundles every function
// and checks this map against the AWS operations its code can actually reach, in both directions (nothing
// missing, nothing extra); test/infra/stack.test.ts checks that the template renders exactly this map.
import { Stack } from 'aws-cdk-lib'
import { PolicyStatement } from 'aws-cdk-lib/aws-iam'
import { table as tableDefinition } from '../../shared/data/table.js'
import type { Group } from '../../shared/routes/route.js'
import { uploadsBucket } from '../../shared/storage/bucket.js'
import type { Data } from './constructs/data.js'

/**
 * read: GetItem, BatchGetItem, Query. write: Put/Update/Delete, BatchWriteItem, the parts of a transaction.
 * scan: whole-table Scan (the cleanup's sweep of expired rate-limit windows), a separate level because it
 * reads every tenant's items at once.
 */
export type TableLevel = 'read' | 'write' | 'scan' | 'describe'
/**
 * Objects under `uploads/`, the only prefix Vega writes (shared/storage/bucket.ts objectKeys):
 * read: GET and HEAD an object; write: PUT one, and sign PUT URLs (a presigned URL carries its signer's
 * rights); list and delete: a deleted repository's objects; head: HeadBucket (readiness).
 */
export type BucketLevel = 'read' | 'write' | 'list' | 'delete' | 'head'
/**
 * send: SendMessage; receive: Receive + Delete (draining by hand); attributes: GetQueueAttributes;
 * extend: ChangeMessageVisibility (a running scan's heartbeat keeps its message hidden).
 */
export type QueueLevel = 'send' | 'receive' | 'attributes' | 'extend'

export interface Access {
  table?: readonly TableLevel[]
  uploads?: readonly BucketLevel[]
  scanQueue?: readonly QueueLevel[]
  deadLetterQueue?: readonly QueueLevel[]
  /** The webhook delivery queue: what emits events (shared/webhooks/emit.ts) sends to it. */
  webhookQueue?: readonly QueueLevel[]
  /** GetSecretValue on the JWT signing secret: every function behind the auth middleware. */
  signingKey?: true
}

export type FunctionName = Group | 'scan-worker' | 'cleanup' | 'advisory-sync' | 'webhook-worker'

// Every API group whose routes take credentials runs the same middleware: authentication (API keys,
// sessions: reads, last-use writes), rate-limit windows and idempotency records (writes), and the signing
// key. So each reads and writes the table and reads the secret; what differs is S3 and SQS. The public
// groups (health, docs) run without it (shared/api/public-lambda.ts).
const api: Access = { table: ['read', 'write'], signingKey: true }
/** What tells webhooks of events (shared/webhooks/emit.ts) queues each delivery's first attempt. */
const emits = { webhookQueue: ['send'] } as const satisfies Access

export const access: Record<FunctionName, Access> = {
  // Readiness checks that each dependency answers: DescribeTable, HeadBucket, GetQueueAttributes.
  health: { table: ['describe'], uploads: ['head'], scanQueue: ['attributes'] },
  // Serves files and the deprecation list: nothing of AWS. (The data layer comes into its bundle with the
  // route schemas, but its commands are named where they are sent, and none of those is reachable here.)
  docs: {},
  auth: api,
  workspaces: api,
  // Revoking a key is an event (api_key.revoked).
  'api-keys': { ...api, ...emits },
  // Deleting a project or a repository deletes its uploads (list, then delete under its prefix) and may
  // queue the rest of a large cascade for the worker.
  projects: { ...api, uploads: ['list', 'delete'], scanQueue: ['send'] },
  // Triage on a finding reopens it or asks for a dismissal: events.
  repositories: { ...api, uploads: ['list', 'delete'], scanQueue: ['send'], ...emits },
  // A push lands in S3 (PUT), a bundle arrives through a presigned PUT and is checked (HEAD, ranged GET);
  // then the scan is queued.
  'git-uploads': { ...api, uploads: ['read', 'write'], scanQueue: ['send'] },
  sessions: { ...api, uploads: ['read', 'write'], scanQueue: ['send'] },
  // A SARIF import is a scan that succeeds, with findings; triage reopens and asks for dismissals.
  triage: { ...api, ...emits },
  billing: api,
  // The security overview reads findings, repositories and counters; it writes only what every API group does.
  overview: api,
  // The workers view reads both queues' depths and peeks at the oldest dead letter; POST /v1/ops/cleanup
  // runs the scheduled cleanup's code on demand.
  ops: {
    ...api,
    table: ['read', 'write', 'scan'],
    uploads: ['list', 'delete'],
    scanQueue: ['send', 'attributes'],
    deadLetterQueue: ['receive', 'attributes'],
    ...emits,
  },
  // Endpoints, their sealed secrets (the signing key derives the sealing key), pings and redeliveries.
  webhooks: { ...api, ...emits },
  // Reads the pushed input; deleting a project's repositories (a queued cascade) deletes their uploads.
  // Consuming the scan queue is the event source's grant, not the code's; extending a message it holds is.
  // The signing secret keys the hash a redacted secret shows (`[kind, N chars, #hash]`, per workspace).
  // It writes one object per repository: the memory of clean blobs incremental scans reuse. A large scan's
  // first shard queues the others (shared/worker/shards.ts).
  'scan-worker': {
    table: ['read', 'write'],
    uploads: ['read', 'write', 'list', 'delete'],
    scanQueue: ['extend', 'send'],
    signingKey: true,
    ...emits,
  },
  // Drains the DLQ (scans marked failed; its depth in a dry run), re-queues scans stuck past their deadline,
  // deletes expired uploads and sweeps old rate-limit windows.
  cleanup: {
    table: ['read', 'write', 'scan'],
    uploads: ['list', 'delete'],
    scanQueue: ['send'],
    deadLetterQueue: ['receive', 'attributes'],
    ...emits,
  },
  // Writes OSV advisories and each ecosystem's sync state; reads OSV's public export over HTTPS.
  'advisory-sync': { table: ['read', 'write'] },
  // One attempt per message: the delivery, its endpoint and event (read), the attempt (write), the next
  // attempt queued; opening an endpoint's sealed secret needs the signing key. Consuming the queue is the
  // event source's grant.
  'webhook-worker': { table: ['read', 'write'], webhookQueue: ['send'], signingKey: true },
}

const tableActions: Record<TableLevel, string[]> = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
  // TransactWriteItems is authorised per contained action (Put, Update, Delete, ConditionCheck).
  write: [
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:ConditionCheckItem',
  ],
  scan: ['dynamodb:Scan'],
  describe: ['dynamodb:DescribeTable'],
}
const queueActions: Record<QueueLevel, string[]> = {
  send: ['sqs:SendMessage'],
  receive: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'],
  attributes: ['sqs:GetQueueAttributes'],
  extend: ['sqs:ChangeMessageVisibility'],
}

/** The IAM actions an access declaration grants, by service; the tests compare templates against it. */
export function actionsOf(declared: Access): string[] {
  const bucket: Record<BucketLevel, string[]> = {
    read: ['s3:GetObject'],
    write: ['s3:PutObject'],
    list: ['s3:ListBucket'],
    delete: ['s3:DeleteObject'],
    head: ['s3:ListBucket'],
  }
  return [
    ...new Set([
      ...(declared.table ?? []).flatMap((level) => tableActions[level]),
      ...(declared.uploads ?? []).flatMap((level) => bucket[level]),
      ...(declared.scanQueue ?? []).flatMap((level) => queueActions[level]),
      ...(declared.deadLetterQueue ?? []).flatMap((level) => queueActions[level]),
      ...(declared.webhookQueue ?? []).flatMap((level) => queueActions[level]),
      ...(declared.signingKey ? ['secretsmanager:GetSecretValue'] : []),
    ]),
  ].sort()
}

export interface AccessTargets {
  data: Data
  signingSecretArn: string
}

/** IAM statements for one declaration: explicit actions, each on the resources it is about. */
export function statementsFor(declared: Access, { data, signingSecretArn }: AccessTargets): PolicyStatement[] {
  const statements: PolicyStatement[] = []
  const table = data.table
  // Index ARNs by name from the shared definition, rather than `index/*`.
  const indexes = tableDefinition.indexes.map((index) => `${table.tableArn}/index/${index.name}`)
  const levels = new Set(declared.table ?? [])
  const itemActions = [...levels]
    .filter((level) => level === 'read' || level === 'write')
    .flatMap((level) => tableActions[level])
  if (itemActions.length) {
    // Writes go to the table only; queries and reads also to the indexes.
    const reads = itemActions.filter((action) => tableActions.read.includes(action))
    const writes = itemActions.filter((action) => !reads.includes(action))
    if (reads.length) statements.push(allow(reads, [table.tableArn, ...indexes]))
    if (writes.length) statements.push(allow(writes, [table.tableArn]))
  }
  if (levels.has('scan')) statements.push(allow(tableActions.scan, [table.tableArn]))
  if (levels.has('describe')) statements.push(allow(tableActions.describe, [table.tableArn]))

  const bucket = new Set(declared.uploads ?? [])
  const objects = `${data.bucket.bucketArn}/${uploadsBucket.uploadsPrefix}*`
  const objectActions = [
    ...(bucket.has('read') ? ['s3:GetObject'] : []),
    ...(bucket.has('write') ? ['s3:PutObject'] : []),
    ...(bucket.has('delete') ? ['s3:DeleteObject'] : []),
  ]
  if (objectActions.length) statements.push(allow(objectActions, [objects]))
  if (bucket.has('head')) {
    // HeadBucket carries no prefix, so a prefix condition would refuse it.
    statements.push(allow(['s3:ListBucket'], [data.bucket.bucketArn]))
  } else if (bucket.has('list')) {
    statements.push(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [data.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${uploadsBucket.uploadsPrefix}*`] } },
      }),
    )
  }

  const queue = (levels: readonly QueueLevel[] | undefined, arn: string) => {
    const actions = (levels ?? []).flatMap((level) => queueActions[level])
    if (actions.length) statements.push(allow(actions, [arn]))
  }
  queue(declared.scanQueue, data.scanQueue.queueArn)
  queue(declared.deadLetterQueue, data.scanDeadLetterQueue.queueArn)
  queue(declared.webhookQueue, data.webhookQueue.queueArn)

  if (declared.signingKey) statements.push(allow(['secretsmanager:GetSecretValue'], [signingSecretArn]))
  return statements
}

const allow = (actions: string[], resources: string[]) => new PolicyStatement({ actions, resources })

/** The IAM5 finding cdk-nag raises for the one wildcard this map needs: objects under the uploads prefix. */
export const uploadsObjectsFinding = (data: Data) =>
  `AwsSolutions-IAM5[Resource::<${Stack.of(data).getLogicalId(data.bucket.node.defaultChild as never)}.Arn>/${uploadsBucket.uploadsPrefix}*]`
