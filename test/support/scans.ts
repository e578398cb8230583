// Builders for the tests that drive scans and findings below the HTTP layer: a fresh repository of a
// person's workspace, and a scan record of it as a push leaves it (override what the test is about).
import { createProject } from '../../shared/data/projects.js'
import { createRepository, type RepositoryRecord } from '../../shared/data/repositories.js'
import type { ScanRecord } from '../../shared/data/scans.js'
import { newId } from '../../shared/ids.js'
import type { EngineFinding } from '../../shared/scanning/engine.js'
import type { Person } from './identity.js'

export async function repositoryOf(owner: Person): Promise<RepositoryRecord> {
  const project = await createProject(owner.workspaceId, { name: `p-${newId('project')}` })
  return createRepository(project, { name: 'r' })
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
