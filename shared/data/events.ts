// A repository's timeline. One module appends events; every later issue calls appendEvent().
import { documents } from '../aws/clients.js'
import { EventId, newId, RepositoryId } from '../ids.js'
import * as z from '../zod.js'
import { commands, deleteKeys, type Page, type PageRequest, queryRecords, tableName, under } from './db.js'
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

/** Vega itself: the worker, the cleanup. */
export const systemActor: EventActor = { type: 'system', id: null }

export const eventRecord = z.object({
  id: EventId,
  repository_id: RepositoryId,
  type: z.enum(eventTypes),
  at: z.string(),
  actor: eventActor,
  data: z.record(z.string(), z.unknown()),
})
export type EventRecord = z.infer<typeof eventRecord>

export async function appendEvent(
  repository: RepositoryId,
  type: EventType,
  actor: EventActor,
  data: Record<string, unknown> = {},
): Promise<EventRecord> {
  const event: EventRecord = {
    id: newId('event'),
    repository_id: repository,
    type,
    at: new Date().toISOString(),
    actor,
    data,
  }
  await documents().send(
    new (commands().PutCommand)({ TableName: tableName(), Item: { ...keys.event(repository, event.id), ...event } }),
  )
  return event
}

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
