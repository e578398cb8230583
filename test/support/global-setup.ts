// Starts the emulators once for the whole run, creates the test resources, and stops everything after.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { type RunningEmulator, startDynamoDb, startS3, startSqs } from '../../infra/local/emulators.js'
import { ensureResources, type LocalResources } from '../../infra/local/resources.js'
import { signingKeyFile } from '../../infra/local/stack.js'
import { keptCacheRoot } from '../../shared/worker/kept-cache.js'
import { sparesRoot } from '../../shared/worker/spare-inodes.js'
import { removeFoldersOfEndedProcesses } from '../../shared/worker/thread-folder.js'

declare module 'vitest' {
  export interface ProvidedContext {
    endpoints: { dynamodb: string; s3: string; sqs: string }
    resources: LocalResources
    jwtSecretFile: string
  }
}

let running: RunningEmulator[] = []
let secretsDir: string | undefined

export async function setup(project: TestProject) {
  if (!process.versions.node.startsWith('24.')) {
    throw new Error(`Tests run on Node 24 (node@24); this is ${process.version}. Run them through npm test.`)
  }
  running = await Promise.all([startDynamoDb(), startS3(), startSqs()])
  const [dynamodb, s3, sqs] = running as [RunningEmulator, RunningEmulator, RunningEmulator]
  const endpoints = { dynamodb: dynamodb.endpoint, s3: s3.endpoint, sqs: sqs.endpoint }
  project.provide('endpoints', endpoints)
  project.provide('resources', await ensureResources(endpoints, { prefix: 'test' }))
  secretsDir = mkdtempSync(join(tmpdir(), 'vega-test-secrets-'))
  project.provide('jwtSecretFile', signingKeyFile(secretsDir))
}

export async function teardown() {
  await Promise.all(running.map((emulator) => emulator.stop()))
  if (secretsDir) rmSync(secretsDir, { recursive: true, force: true })
  // What the scan workers kept on disk, once the processes that kept it have ended (the test workers have).
  for (const root of [sparesRoot, keptCacheRoot]) removeFoldersOfEndedProcesses(root)
}
