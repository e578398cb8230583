// A repository's timeline: the event record and its reads. Events are appended by append-event.ts, which
// every function that records something imports; this module's schemas only the timeline's readers need.
import { EventId, RepositoryId } from '../ids.js'
import * as z from '../zod.js'
import { deleteKeys, type Page, type PageRequest, queryRecords, under } from './db.js'
import * as keys from './keys.js'

export const eventTypes = [
  'repository.created',
  'repository.updated',
  'repository.renamed',
  'upload.created',
  'upload.received',
  'session.created',
  'session.analyzed',
  'scan.queued',
  'scan.started',
  'scan.succeeded',
  'scan.failed',
  'scan.cancelled',
  'finding.dismissed',
  'finding.reopened',
  'api_key.revoked',
] as const
export type EventType = (typeof eventTypes)[number]

export const eventActor = z.object({ type: z.enum(['user', 'api_key', 'system']), id: z.nullable(z.string()) })
export type EventActor = z.infer<typeof eventActor>

export const eventRecord = z.object({
  id: EventId,
  repository_id: RepositoryId,
  type: z.enum(eventTypes),
  at: z.string(),
  actor: eventActor,
  data: z.record(z.string(), z.unknown()),
})
export type EventRecord = z.infer<typeof eventRecord>

/** Newest first. */
export function listEvents(repository: RepositoryId, page: PageRequest): Promise<Page<EventRecord>> {
  return queryRecords(eventRecord, { ...under(keys.eventsOf(repository)), page, newestFirst: true })
}

/** Removes a deleted repository's timeline. */
export async function deleteEvents(repository: RepositoryId): Promise<void> {
  let startKey: PageRequest['startKey']
  do {
    const page = await listEvents(repository, { limit: 100, startKey })
    await deleteKeys(page.items.map((event) => keys.event(repository, event.id)))
    startKey = page.lastKey
  } while (startKey)
}
