// The legacy sessions flow, kept for old clients: create a session (a presigned PUT for a .tar.gz or
// .zip), PUT the archive, analyze it (one scan through the same worker and engines), read the session.

import { type Access, eventActor, inWorkspace } from '../auth/access.js'
import { limitsOf } from '../billing/quotas.js'
import { queueScan } from '../catalog/queue-scan.js'
import { findRepository } from '../catalog/repositories.js'
import { config } from '../config.js'
import { appendEvent } from '../data/append-event.js'
import { getScan } from '../data/scans.js'
import { claimForAnalysis, getSession, putSession, type SessionRecord } from '../data/sessions.js'
import { ApiError, badRequest, conflict, gone } from '../http/errors.js'
import { newId, type RepositoryId, type SessionId } from '../ids.js'
import { type ArchiveFormat, looksLike } from '../scanning/archive-formats.js'
import { engineNames } from '../scanning/engine.js'
import * as objectKeys from '../storage/object-keys.js'
import { getObjectStart, objectSize, presignPut } from '../storage/objects.js'

const archiveKey = (session: SessionRecord) =>
  objectKeys.archive(session.workspace_id, session.repository_id, session.id, session.format)

const expired = (session: SessionRecord) =>
  session.status === 'awaiting_upload' && Date.parse(session.expires_at) <= Date.now()

/** The status a client sees: stored state, then the archive's presence, the scan's outcome and the clock. */
type SessionStatus = 'awaiting_upload' | 'uploaded' | 'analyzing' | 'done' | 'failed' | 'expired'

async function statusOf(session: SessionRecord): Promise<SessionStatus> {
  if (session.status === 'analyzing') {
    const scan = session.scan_id ? await getScan(session.scan_id) : undefined
    if (scan?.status === 'succeeded') return 'done'
    if (scan?.status === 'failed' || scan?.status === 'cancelled') return 'failed'
    return 'analyzing'
  }
  if (expired(session)) return 'expired'
  return (await objectSize(archiveKey(session))) === undefined ? 'awaiting_upload' : 'uploaded'
}

async function toSession(session: SessionRecord) {
  const status = await statusOf(session)
  const secondsLeft = Math.floor((Date.parse(session.expires_at) - Date.now()) / 1000)
  return {
    id: session.id,
    repository_id: session.repository_id,
    status,
    // Until it is analysed the URL may be used again: a second PUT replaces the first archive.
    upload_url:
      session.status === 'awaiting_upload' && secondsLeft > 0
        ? await presignPut(archiveKey(session), secondsLeft)
        : null,
    expires_at: session.expires_at,
    scan_id: session.scan_id,
  }
}

export async function create(access: Access, input: { repository_id: RepositoryId; format: ArchiveFormat }) {
  const repository = await findRepository(access, input.repository_id)
  const now = new Date()
  const session: SessionRecord = {
    id: newId('session'),
    repository_id: repository.id,
    project_id: repository.project_id,
    workspace_id: repository.workspace_id,
    format: input.format,
    status: 'awaiting_upload',
    expires_at: new Date(now.getTime() + config().UPLOAD_TTL_S * 1000).toISOString(),
    scan_id: null,
    created_by: eventActor(access.actor).id ?? 'unknown',
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
  }
  await putSession(session)
  await appendEvent(repository.id, 'session.created', eventActor(access.actor), {
    session_id: session.id,
    format: session.format,
  })
  return toSession(session)
}

async function findSession(access: Access, id: SessionId): Promise<SessionRecord> {
  return inWorkspace(access, await getSession(id), 'Session', id)
}

export async function get(access: Access, id: SessionId) {
  return toSession(await findSession(access, id))
}

/** Checks the archive that was PUT (presence, size, magic bytes), then queues its one scan. */
export async function analyze(access: Access, id: SessionId) {
  const session = await findSession(access, id)
  if (expired(session)) throw gone(`Session ${id} expired at ${session.expires_at}; create a new one`)
  if (session.status !== 'awaiting_upload')
    throw conflict(`Session ${id} was already analysed (scan ${session.scan_id})`)
  const key = archiveKey(session)
  const size = await objectSize(key)
  if (size === undefined) throw conflict('Nothing was uploaded to upload_url yet; PUT the archive first')
  const limit = (await limitsOf(session.workspace_id)).values.archive_max_bytes
  if (size > limit)
    throw new ApiError('payload_too_large', `The archive is ${size} bytes; archive_max_bytes is ${limit}`, {
      limit: 'archive_max_bytes',
      limit_bytes: limit,
      alternative: 'POST /v1/git-uploads and push with git',
    })
  if (size === 0 || !looksLike(session.format, await getObjectStart(key, Math.min(size, 4))))
    throw badRequest(`The uploaded object is not a ${session.format} archive`, { format: session.format })

  const scan = await queueScan({
    of: {
      workspace_id: session.workspace_id,
      project_id: session.project_id,
      repository_id: session.repository_id,
      upload_id: null,
      session_id: session.id,
    },
    input: { kind: 'archive', key, bytes: size, format: session.format },
    engines: [...engineNames],
    actor: eventActor(access.actor),
    claim: {
      item: (scan, now) => claimForAnalysis(session.id, scan, now),
      lost: () => conflict(`Session ${id} was analysed meanwhile`),
    },
    events: [{ type: 'session.analyzed', data: { session_id: session.id, bytes: size } }],
  })
  return toSession({ ...session, status: 'analyzing', scan_id: scan.id })
}
