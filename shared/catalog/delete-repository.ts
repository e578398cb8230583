// A repository and everything it holds: scans, uploads, sessions, findings, suppressions, stored objects
// and its timeline. Shared by a repository's delete and a project's cascade.
import { deleteEvents } from '../data/events.js'
import { deleteFindingsOf } from '../data/findings.js'
import { deleteRepository, type RepositoryRecord } from '../data/repositories.js'
import { deleteScansOf } from '../data/scans.js'
import { deleteSessionsOf } from '../data/sessions.js'
import { deleteSuppressionsOf } from '../data/suppressions.js'
import { deleteUploadsOf } from '../data/uploads.js'
import { DomainError } from '../errors.js'
import * as objectKeys from '../storage/object-keys.js'
import { deletePrefix } from '../storage/objects.js'

export async function destroyRepository(repository: RepositoryRecord) {
  // Two deleters may meet (a retried background deletion): the item is gone either way, go on.
  await deleteRepository(repository).catch((error) => {
    if (!(error instanceof DomainError && error.kind === 'not_found')) throw error
  })
  await deleteScansOf(repository.id)
  await deleteUploadsOf(repository.id)
  await deleteSessionsOf(repository.id)
  await deleteFindingsOf(repository.id)
  await deleteSuppressionsOf(repository.id)
  await deletePrefix(objectKeys.repository(repository.workspace_id, repository.id))
  await deleteEvents(repository.id)
}
