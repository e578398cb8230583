// Temporary git remotes: create, push (the smart-HTTP protocol), bundles.
import { UploadId } from '../ids.js'
import * as z from '../zod.js'
import { route } from './route.js'
import { CreateGitUpload, ExtendGitUpload, GitUpload } from './schemas/git-uploads.js'

/** A git upload in the path. */
const upload = z.object({ id: UploadId })

export const gitUploadRoutes = {
  createGitUpload: route({
    group: 'git-uploads',
    method: 'POST',
    path: '/v1/git-uploads',
    summary: 'A temporary git remote for one push (and a presigned URL for a bundle)',
    auth: 'user',
    scope: 'upload',
    role: 'member',
    body: CreateGitUpload,
    ok: GitUpload,
    status: 201,
    location: { route: 'getGitUpload' },
    errors: ['quota_exceeded'],
    idempotent: true,
    shownOnce: ['remote_url'],
  }),
  getGitUpload: route({
    group: 'git-uploads',
    method: 'GET',
    path: '/v1/git-uploads/{id}',
    summary: 'One upload and its status',
    auth: 'user',
    role: 'viewer',
    params: upload,
    ok: GitUpload,
  }),
  extendGitUpload: route({
    group: 'git-uploads',
    method: 'PATCH',
    path: '/v1/git-uploads/{id}',
    summary: 'Extend the expiry (within a maximum)',
    auth: 'user',
    scope: 'upload',
    role: 'member',
    params: upload,
    body: ExtendGitUpload,
    ok: GitUpload,
    errors: ['conflict', 'gone'],
  }),
  releaseGitUpload: route({
    group: 'git-uploads',
    method: 'DELETE',
    path: '/v1/git-uploads/{id}',
    summary: 'Release the remote before it expires',
    auth: 'user',
    scope: 'upload',
    role: 'member',
    params: upload,
    status: 204,
  }),
  completeGitUpload: route({
    group: 'git-uploads',
    method: 'POST',
    path: '/v1/git-uploads/{id}/complete',
    summary: 'After a bundle was PUT to bundle_upload_url: verify it and queue the scan',
    auth: 'user',
    scope: 'upload',
    role: 'member',
    params: upload,
    ok: GitUpload,
    status: 202,
    location: { route: 'getGitUpload' },
    errors: ['conflict', 'gone', 'payload_too_large', 'quota_exceeded', 'validation_failed'],
  }),
  gitInfoRefs: route({
    group: 'git-uploads',
    method: 'GET',
    path: '/v1/git-uploads/{id}/repo.git/info/refs',
    summary: 'git smart HTTP: the ref advertisement of an empty repository',
    auth: 'upload-token',
    params: upload,
    query: z.object({ service: z.string().check(z.maxLength(64)) }),
    produces: 'application/x-git-receive-pack-advertisement',
    errors: ['gone'],
  }),
  gitReceivePack: route({
    group: 'git-uploads',
    method: 'POST',
    path: '/v1/git-uploads/{id}/repo.git/git-receive-pack',
    summary: 'git smart HTTP: receive the pack, store it, queue the scan, report status',
    auth: 'upload-token',
    params: upload,
    consumes: 'application/x-git-receive-pack-request',
    produces: 'application/x-git-receive-pack-result',
    errors: ['gone', 'conflict', 'payload_too_large'],
    // `-o vega.wait` holds the answer while the scan runs, its progress lines sent as they happen.
    streams: true,
  }),
} as const
