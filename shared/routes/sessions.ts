// The legacy archive flow (deprecated).
import { SessionId } from '../ids.js'
import * as z from '../zod.js'
import { route } from './route.js'
import { CreateSession, Session } from './schemas/sessions.js'

export const sessionRoutes = {
  createSession: route({
    group: 'sessions',
    method: 'POST',
    path: '/v1/sessions',
    summary: 'Legacy: a session with a presigned URL for a tar.gz or zip (use git uploads)',
    auth: 'user',
    scope: 'upload',
    role: 'member',
    body: CreateSession,
    ok: Session,
    status: 201,
    location: { route: 'getSession' },
    idempotent: true,
    deprecated: true,
  }),
  getSession: route({
    group: 'sessions',
    method: 'GET',
    path: '/v1/sessions/{id}',
    summary: 'Legacy: a session and its status',
    auth: 'user',
    role: 'viewer',
    params: z.object({ id: SessionId }),
    ok: Session,
    errors: ['gone'],
    deprecated: true,
  }),
  analyzeSession: route({
    group: 'sessions',
    method: 'POST',
    path: '/v1/sessions/{id}/analyze',
    summary: 'Legacy: scan the uploaded archive',
    auth: 'user',
    scope: 'upload',
    role: 'member',
    params: z.object({ id: SessionId }),
    ok: Session,
    status: 202,
    location: { route: 'getSession' },
    errors: ['conflict', 'gone'],
    deprecated: true,
  }),
} as const
