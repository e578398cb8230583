// Appends an event to a repository's timeline (one module writes events; every later issue calls
// appendEvent()). Apart from events.ts, whose record schema and reads only the timeline's readers need: it
// imports nothing of that module but types.
import { documents } from '../aws/clients.js'
import { newId, type RepositoryId } from '../ids.js'
import { commands, tableName } from './db.js'
import type { EventActor, EventRecord, EventType } from './events.js'
import * as keys from './keys.js'

/** Vega itself: the worker, the cleanup. */
export const systemActor: EventActor = { type: 'system', id: null }

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
