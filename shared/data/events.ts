// A repository's timeline. One module appends events; every later issue calls appendEvent().
import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb'
import { documents } from '../aws/clients.js'
import { type EventId, newId, type RepositoryId } from '../ids.js'
import { type Page, type PageRequest, queryByPrefix, tableName } from './db.js'
import { keys } from './keys.js'

export type EventType =
  | 'repository.created'
  | 'repository.updated'
  | 'repository.renamed'
  | 'upload.created'
  | 'upload.received'
  | 'scan.queued'
  | 'scan.started'
  | 'scan.succeeded'
  | 'scan.failed'
  | 'scan.cancelled'
  | 'finding.dismissed'
  | 'finding.reopened'

export interface EventActor {
  type: 'user' | 'api_key' | 'system'
  id: string | null
}

export interface EventRecord {
  id: EventId
  repository_id: RepositoryId
  type: EventType
  at: string
  actor: EventActor
  data: Record<string, unknown>
}

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
    new PutCommand({ TableName: tableName(), Item: { ...keys.event(repository, event.id), ...event } }),
  )
  return event
}

/** Newest first. */
export function listEvents(repository: RepositoryId, page: PageRequest): Promise<Page<EventRecord>> {
  const { pk, skPrefix } = keys.eventsOf(repository)
  return queryByPrefix<EventRecord>({ partition: pk, prefix: skPrefix, page, newestFirst: true })
}

/** Removes a deleted repository's timeline, 25 items per batch write. */
export async function deleteEvents(repository: RepositoryId): Promise<void> {
  let startKey: PageRequest['startKey']
  do {
    const page = await listEvents(repository, { limit: 100, startKey })
    for (let i = 0; i < page.items.length; i += 25) {
      const batch = page.items
        .slice(i, i + 25)
        .map((event) => ({ DeleteRequest: { Key: keys.event(repository, event.id) } }))
      let unprocessed: Record<string, unknown[]> | undefined = { [tableName()]: batch }
      // DynamoDB may hand back part of a batch under load; send the rest until nothing is left.
      while (unprocessed && Object.keys(unprocessed).length > 0) {
        const answer = await documents().send(new BatchWriteCommand({ RequestItems: unprocessed as never }))
        unprocessed = answer.UnprocessedItems as typeof unprocessed
      }
    }
    startKey = page.lastKey
  } while (startKey)
}
