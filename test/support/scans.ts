// Builders for the tests that drive scans and findings below the HTTP layer: a fresh repository of a
// person's workspace, a scan record of it as a push leaves it (override what the test is about), that scan
// stored for the worker, or one already succeeded with chosen findings.
import { tableName, transact } from '../../shared/data/db.js'
import { createProject } from '../../shared/data/projects.js'
import { createRepository, type RepositoryRecord } from '../../shared/data/repositories.js'
import { finishScan, newScanItem, putQueuedScan, type ScanRecord, startScan } from '../../shared/data/scans.js'
import { recordFindings } from '../../shared/findings/record.js'
import { newId, type ScanId } from '../../shared/ids.js'
import type { EngineFinding } from '../../shared/scanning/engine.js'
import { putObject } from '../../shared/storage/objects.js'
import type { Person } from './identity.js'

export async function repositoryOf(owner: Person): Promise<RepositoryRecord> {
  const project = await createProject(owner.workspaceId, { name: `p-${newId('project')}` })
  return createRepository(project, { name: 'r' })
}

/** A queued scan of a pushed pack, the pack stored where the push leaves it: what the worker picks up. */
export async function queuedPackScan(
  repository: RepositoryRecord,
  push: { pack: Buffer; refs: { ref: string; oid: string }[] },
  overrides: Partial<ScanRecord> = {},
): Promise<ScanRecord> {
  const scan = scanOf(repository, {
    input: { kind: 'pack', key: `uploads/test/${newId('upload')}.pack`, bytes: push.pack.length, refs: push.refs },
    ...overrides,
  })
  await putObject(scan.input.key, push.pack)
  await transact([{ Put: { TableName: tableName(), Item: newScanItem(scan) } }], () => new Error('scan exists'))
  return scan
}

export function scanOf(repository: RepositoryRecord, overrides: Partial<ScanRecord> = {}): ScanRecord {
  return {
    id: newId('scan'),
    repository_id: repository.id,
    project_id: repository.project_id,
    workspace_id: repository.workspace_id,
    upload_id: null,
    status: 'queued',
    input: { kind: 'pack', key: `uploads/test/${newId('upload')}.pack`, bytes: 1 },
    engines: ['secrets', 'code', 'dependencies'],
    error: null,
    stats: null,
    created_at: new Date().toISOString(),
    started_at: null,
    finished_at: null,
    ...overrides,
  }
}

/** A scan that succeeded with these findings, as the worker leaves it (one file per finding); its id. */
export async function succeededScan(
  repository: RepositoryRecord,
  findings: EngineFinding[],
  engines = ['secrets', 'code'],
): Promise<ScanId> {
  const scan = scanOf(repository, { engines })
  await putQueuedScan(scan)
  await startScan(scan.id)
  await recordFindings(scan, findings, engines)
  const stats = { files: findings.length, bytes: 10, commits: 1, duration_ms: 1 }
  await finishScan(scan, { status: 'succeeded', stats })
  return scan.id
}

/** A code finding as an engine returns it, at one line of a path; the identity is the matched text. */
export function codeFinding(
  path: string,
  { line = 1, text = 'eval(x)', ...fields }: Partial<EngineFinding> & { line?: number; text?: string } = {},
): EngineFinding {
  return {
    engine: 'code',
    rule_id: 'js-code-injection',
    severity: 'high',
    title: 'eval of input',
    message: 'Input reaches eval',
    cwe: ['CWE-95'],
    fix: 'Do not eval input',
    identity: text,
    locations: [{ path, start_line: line, end_line: line, snippet: text }],
    metadata: {},
    ...fields,
  }
}
