// Repositories: one item each, read by id, listed per project (gsi1) and per workspace (gsi2). The item
// also carries the rollup counters the scan pipeline keeps (last scan, open findings by severity), so
// a project's rollup is one query over its repositories, never a scan of findings.
import { documents } from '../aws/clients.js'
import { nameTaken, notFound } from '../errors.js'
import { newId, ProjectId, RepositoryId, ScanId, WorkspaceId } from '../ids.js'
import { type Severity, severities } from '../scanning/engine.js'
import * as z from '../zod.js'
import {
  addToCounter,
  claimKey,
  commands,
  deleteWhen,
  getRecord,
  type Page,
  type PageRequest,
  queryRecords,
  releaseKey,
  tableName,
  transact,
  under,
  updateIf,
  updateNamed,
} from './db.js'
import * as keys from './keys.js'
import type { ProjectRecord } from './projects.js'

export { type Severity, severities }
export type SeverityCounts = Record<Severity, number>

/** open_critical, open_high, …: moved by the findings' transitions (shared/data/findings.ts), in their transactions. */
const openCounts = Object.fromEntries(
  severities.map((severity) => [`open_${severity}`, z._default(z.number().check(z.int()), 0)]),
) as Record<`open_${Severity}`, z.ZodMiniDefault<z.ZodMiniNumber>>

/** A complete pack kept for the repository's next push, with what spares re-reading it. */
export const storedObjects = z.object({
  key: z.string(),
  /** A pushed pack, or a bundle (the pack follows its header). */
  kind: z.enum(['pack', 'bundle']),
  /**
   * Thin packs pushed since, in order: the complete pack is `key`'s followed by each of these (read joined,
   * never written out; shared/worker/kept.ts). Absent: `key`'s pack alone.
   */
  parts: z.optional(z.array(z.string())),
  tips: z.array(z.string()),
  /** The pack's saved index (shared/git/pack.ts saveIndex): a push built on it is indexed from its end. */
  index_key: z.optional(z.string()),
  /** The history walk of the push (shared/git/history.ts saveWalk): a later push walks only its new commits. */
  walk_key: z.optional(z.string()),
  /** The trees of the head it checked out (shared/git/checkout.ts saveTrees): a later checkout reads only the changed ones. */
  trees_key: z.optional(z.string()),
  scan_id: ScanId,
  /** When the object was written: uploads expire, so an old one is not offered. */
  stored_at: z.string(),
})

export const repositoryRecord = z.object({
  id: RepositoryId,
  project_id: ProjectId,
  workspace_id: WorkspaceId,
  name: z.string(),
  default_branch: z.string(),
  description: z.string(),
  last_scan_id: z.nullable(ScanId),
  last_scan_status: z.nullable(z.string()),
  last_scan_finished_at: z.nullable(z.string()),
  /**
   * The latest complete pack a scan of the repository read, whose objects a push may leave out: the
   * remote advertises `tips` as objects it has, so git sends a thin pack of what is new.
   */
  objects: z.optional(storedObjects),
  ...openCounts,
  created_at: z.string(),
  updated_at: z.string(),
})
export type RepositoryRecord = z.infer<typeof repositoryRecord>
const noneOpen = Object.fromEntries(severities.map((severity) => [`open_${severity}`, 0])) as Record<
  `open_${Severity}`,
  number
>

const duplicateName = (name: string) => nameTaken(`A repository named ${name} already exists in this project`)

export async function createRepository(
  project: ProjectRecord,
  input: { name: string; default_branch?: string; description?: string },
): Promise<RepositoryRecord> {
  const now = new Date().toISOString()
  const repository: RepositoryRecord = {
    id: newId('repository'),
    project_id: project.id,
    workspace_id: project.workspace_id,
    name: input.name,
    default_branch: input.default_branch ?? 'main',
    description: input.description ?? '',
    last_scan_id: null,
    last_scan_status: null,
    last_scan_finished_at: null,
    ...noneOpen,
    created_at: now,
    updated_at: now,
  }
  await transact(
    [
      {
        Put: {
          TableName: tableName(),
          Item: { ...keys.repository(project.workspace_id, project.id, repository.id), ...repository },
        },
      },
      claimKey(keys.repositoryName(project.id, repository.name), { repository_id: repository.id }),
      repositoryCount(project.id, 1),
    ],
    (failed) => (failed === 2 ? notFound('Project', project.id) : duplicateName(repository.name)),
  )
  return repository
}

export async function getRepository(id: RepositoryId): Promise<RepositoryRecord | undefined> {
  return getRecord(repositoryRecord, keys.repositoryById(id), { consistent: true })
}

export function listRepositoriesOfProject(project: ProjectId, page: PageRequest): Promise<Page<RepositoryRecord>> {
  return queryRecords(repositoryRecord, { ...under(keys.repositoriesOfProject(project)), page })
}

export function listRepositoriesOfWorkspace(
  workspace: WorkspaceId,
  page: PageRequest,
): Promise<Page<RepositoryRecord>> {
  return queryRecords(repositoryRecord, { ...under(keys.repositoriesOfWorkspace(workspace)), page })
}

export function updateRepository(
  repository: RepositoryRecord,
  changes: { name?: string; default_branch?: string; description?: string },
): Promise<RepositoryRecord> {
  return updateNamed(repository, changes, {
    key: keys.repositoryById(repository.id),
    nameKey: (name) => keys.repositoryName(repository.project_id, name),
    owner: { repository_id: repository.id },
    onTaken: duplicateName,
  })
}

export async function deleteRepository(repository: RepositoryRecord): Promise<void> {
  await transact(
    [
      deleteWhen(keys.repositoryById(repository.id), 'attribute_exists(pk)'),
      releaseKey(keys.repositoryName(repository.project_id, repository.name)),
      repositoryCount(repository.project_id, -1),
    ],
    () => notFound('Repository', repository.id),
  )
}

/** The scan pipeline's write to the rollup when a scan ends (idempotent: the same scan twice is one). */
export async function recordLastScan(
  id: RepositoryId,
  scan: { id: ScanId; status: string; finished_at: string | null },
) {
  await documents().send(
    new (commands().UpdateCommand)({
      TableName: tableName(),
      Key: keys.repositoryById(id),
      UpdateExpression: 'SET last_scan_id = :id, last_scan_status = :status, last_scan_finished_at = :finished',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':id': scan.id, ':status': scan.status, ':finished': scan.finished_at },
    }),
  )
}

export type StoredObjects = z.infer<typeof storedObjects>

/**
 * Records a scan's complete pack as the repository's objects, unless a later scan's is already there;
 * says whether it did.
 */
export function recordObjects(id: RepositoryId, objects: StoredObjects): Promise<boolean> {
  return updateIf({
    Key: keys.repositoryById(id),
    UpdateExpression: 'SET #objects = :objects',
    ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#objects) OR #objects.scan_id < :scan)',
    ExpressionAttributeNames: { '#objects': 'objects' },
    ExpressionAttributeValues: { ':objects': objects, ':scan': objects.scan_id },
  })
}

/** Stops offering a pack found missing, if it is still the one offered. */
export async function forgetObjects(id: RepositoryId, key: string): Promise<void> {
  await updateIf({
    Key: keys.repositoryById(id),
    UpdateExpression: 'REMOVE #objects',
    ConditionExpression: '#objects.#key = :key',
    ExpressionAttributeNames: { '#objects': 'objects', '#key': 'key' },
    ExpressionAttributeValues: { ':key': key },
  })
}

/** Moves the open-findings counters by the given amounts; the pipeline calls it once per transition. */
export const openFindings = (repository: RepositoryRecord): SeverityCounts =>
  Object.fromEntries(
    severities.map((severity) => [severity, Number(repository[`open_${severity}`] ?? 0)]),
  ) as SeverityCounts

/** The repository's last scan as rollups show it, or null before its first. */
export const lastScanOf = (repository: RepositoryRecord) =>
  repository.last_scan_id
    ? {
        id: repository.last_scan_id,
        status: repository.last_scan_status ?? 'queued',
        finished_at: repository.last_scan_finished_at,
      }
    : null

function repositoryCount(project: ProjectId, delta: number) {
  // A project being deleted takes no new repositories (removals go on).
  const condition = delta > 0 ? 'attribute_exists(pk) AND attribute_not_exists(deleting_at)' : 'attribute_exists(pk)'
  return addToCounter(keys.projectById(project), 'repository_count', delta, condition)
}
