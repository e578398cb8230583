// Temporary git remotes: create, read, extend, release; and the two git smart-HTTP endpoints.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { PassThrough, type Readable } from 'node:stream'
import { type Access, eventActor, inWorkspace } from '../auth/access.js'
import { type Estimate, estimate, showEstimate } from '../billing/prices.js'
import { checkCost, checkUploadQuotas, type EffectiveLimits, limitsOf } from '../billing/quotas.js'
import { admitScan, queueScan, type ScanAdmission } from '../catalog/queue-scan.js'
import { findRepository } from '../catalog/repositories.js'
import { config, publicUrl } from '../config.js'
import { appendEvent, systemActor } from '../data/append-event.js'
import { getRepository, type StoredObjects } from '../data/repositories.js'
import { getScan, type ScanRecord } from '../data/scans.js'
import {
  claimForPush,
  extendUpload,
  getUpload,
  putUpload,
  releaseUpload,
  statusOf,
  type UploadRecord,
} from '../data/uploads.js'
import { parseBundle } from '../git/bundle.js'
import { GitError } from '../git/errors.js'
import {
  advertisement,
  ProtocolError,
  parseReceivePack,
  progress,
  type ReceivePackRequest,
  report,
  reportStatus,
  zeroOid,
} from '../git/protocol.js'
import { refNameProblem } from '../git/ref-name.js'
import { knownApiError } from '../http/envelope.js'
import { ApiError, badRequest, conflict, gone } from '../http/errors.js'
import { Reply } from '../http/reply.js'
import { newId, ScanId, type UploadId } from '../ids.js'
import type { RequestLog } from '../log.js'
import { engineNames } from '../scanning/engine.js'
import { uploadsBucket } from '../storage/bucket.js'
import * as objectKeys from '../storage/object-keys.js'
import { getObjectStart, objectSize, presignPut, putObject } from '../storage/objects.js'
import { parsePushOptions } from './push-options.js'
import { type Listener, pushVerdict } from './push-verdict.js'

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex')
const remotePath = (id: UploadId) => `/v1/git-uploads/${id}/repo.git`

function remoteUrl(id: UploadId, token: string): string {
  const url = new URL(publicUrl(remotePath(id)))
  url.username = 'vega'
  url.password = token
  return url.href
}

/** What billing keeps on an upload: the estimate it was created with, and the caller's max_cost. */
type BilledUpload = UploadRecord & { cost_estimate?: Estimate; max_cost?: number }

/** Once pushed, the estimate of the scan it queued (from the real size); before, the one made at creation. */
async function estimateOf(upload: BilledUpload) {
  const scan = upload.scan_id ? await getScan(upload.scan_id) : undefined
  const known = (scan as (ScanRecord & { cost_estimate?: Estimate }) | undefined)?.cost_estimate ?? upload.cost_estimate
  return known ? showEstimate(known) : null
}

/** The largest pack a push may carry: the workspace's limit, under what the gateway lets through. */
const pushLimitOf = (limits: EffectiveLimits) => Math.min(config().GIT_PUSH_MAX_BYTES, limits.values.git_push_max_bytes)

/** `limits`: the workspace's, when the caller read them already (one read per request). */
async function toGitUpload(upload: BilledUpload, token?: string, known?: EffectiveLimits) {
  const status = statusOf(upload)
  const secondsLeft = Math.floor((Date.parse(upload.expires_at) - Date.now()) / 1000)
  const limits = known ?? (await limitsOf(upload.workspace_id))
  return {
    id: upload.id,
    repository_id: upload.repository_id,
    status,
    remote_url: token ? remoteUrl(upload.id, token) : null,
    bundle_upload_url:
      status === 'awaiting_push' && secondsLeft > 0
        ? await presignPut(objectKeys.bundle(upload.workspace_id, upload.repository_id, upload.id), secondsLeft)
        : null,
    // Over the push limit, git's own output cannot help (the gateway answers 413 before Vega sees the
    // pack): the answer says where the line is and what to do past it.
    push_max_bytes: pushLimitOf(limits),
    bundle_max_bytes: limits.values.bundle_max_bytes,
    complete_url: publicUrl(`/v1/git-uploads/${upload.id}/complete`),
    expires_at: upload.expires_at,
    scan_id: upload.scan_id,
    cost_estimate: await estimateOf(upload),
  }
}

/** Before anything is pushed, the repository's previous upload is the best guess of the next one's size. */
async function creationEstimate(lastScan: ScanRecord['id'] | null | undefined): Promise<Estimate> {
  const previous = lastScan ? await getScan(lastScan) : undefined
  return previous ? estimate(previous.input.bytes, 'previous_upload') : estimate(0, 'minimum')
}

export async function create(
  access: Access,
  input: { repository_id: UploadRecord['repository_id']; expires_in_s?: number; max_cost?: number },
) {
  const repository = await findRepository(access, input.repository_id)
  // Refused here when its push would be: the day's scans are used up, or the estimate is over a limit.
  const limits = await limitsOf(repository.workspace_id)
  await checkUploadQuotas(repository.workspace_id, limits)
  const costEstimate = await creationEstimate(repository.last_scan_id)
  await checkCost(repository.workspace_id, limits, costEstimate, input.max_cost)
  const token = `vgu_${randomBytes(32).toString('base64url')}`
  const now = new Date()
  const ttl = Math.min(input.expires_in_s ?? config().UPLOAD_TTL_S, config().UPLOAD_MAX_TTL_S)
  const upload: BilledUpload = {
    id: newId('upload'),
    repository_id: repository.id,
    project_id: repository.project_id,
    workspace_id: repository.workspace_id,
    status: 'awaiting_push',
    token_sha256: sha256(token),
    expires_at: new Date(now.getTime() + ttl * 1000).toISOString(),
    scan_id: null,
    created_by: eventActor(access.actor).id ?? 'unknown',
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
    cost_estimate: costEstimate,
    ...(input.max_cost !== undefined ? { max_cost: input.max_cost } : {}),
  }
  await putUpload(upload)
  await appendEvent(repository.id, 'upload.created', eventActor(access.actor), {
    upload_id: upload.id,
    expires_at: upload.expires_at,
  })
  return toGitUpload(upload, token, limits)
}

async function findUpload(access: Access, id: UploadId): Promise<BilledUpload> {
  return inWorkspace(access, await getUpload(id), 'Upload', id)
}

export async function get(access: Access, id: UploadId) {
  return toGitUpload(await findUpload(access, id))
}

export async function extend(access: Access, id: UploadId, expiresInS: number) {
  const upload = await findUpload(access, id)
  const latest = Date.parse(upload.created_at) + config().UPLOAD_MAX_TTL_S * 1000
  const wanted = Math.min(Date.now() + expiresInS * 1000, latest)
  return toGitUpload(await extendUpload(upload, new Date(wanted).toISOString()))
}

export async function release(access: Access, id: UploadId) {
  await releaseUpload(await findUpload(access, id))
}

/**
 * git sends the URL's credentials only after a 401 with `WWW-Authenticate: Basic`, so both endpoints
 * challenge; an unknown upload and a wrong token look the same.
 */
async function authenticateUpload(id: UploadId, authorization: string | undefined): Promise<BilledUpload> {
  const challenge = () =>
    new ApiError(
      'unauthorized',
      'This git remote needs the credentials in its URL',
      {},
      {
        'www-authenticate': 'Basic realm="Vega git upload", charset="UTF-8"',
      },
    )
  const [scheme, encoded] = authorization?.split(' ') ?? []
  if (scheme?.toLowerCase() !== 'basic' || !encoded) throw challenge()
  const password = Buffer.from(encoded, 'base64').toString('utf8').split(':').slice(1).join(':')
  const upload = await getUpload(id)
  const expected = Buffer.from(upload?.token_sha256 ?? '0'.repeat(64), 'hex')
  const given = Buffer.from(sha256(password), 'hex')
  if (!upload || !timingSafeEqual(expected, given)) throw challenge()
  return upload
}

export async function infoRefs(id: UploadId, authorization: string | undefined, service: string) {
  if (service !== 'git-receive-pack') {
    return Reply.text('This URL only accepts git push.\n', 'text/plain; charset=utf-8', {}, 403)
  }
  const upload = await authenticateUpload(id, authorization)
  const haves = (await offeredObjects(upload))?.tips ?? []
  return Reply.bytes(advertisement(haves), 'application/x-git-receive-pack-advertisement', {
    'cache-control': 'no-cache',
  })
}

/** A day short of the uploads' expiry: an object offered to a push is still there when its scan runs. */
const offerForMs = (uploadsBucket.expireUploadsAfterDays - 1) * 24 * 3600 * 1000

/** What a scan's input keeps of the objects its push was offered. */
function baseOf(objects: StoredObjects | undefined): Pick<ScanRecord['input'], 'base'> {
  if (!objects) return {}
  const { scan_id: _scan, ...base } = objects
  return { base }
}

/**
 * The repository's complete pack a push may build on (its tips go out as `.have`): the latest one a scan
 * read, while the bucket still keeps it.
 */
async function offeredObjects(upload: UploadRecord): Promise<StoredObjects | undefined> {
  const objects = (await getRepository(upload.repository_id))?.objects
  return objects && Date.now() - Date.parse(objects.stored_at) < offerForMs ? objects : undefined
}

const gitResultType = 'application/x-git-receive-pack-result'
const gitResult = (body: Buffer) => Reply.bytes(body, gitResultType, { 'cache-control': 'no-cache' })

/** Refuses every ref with one reason, in words git prints. */
function refuse(request: ReceivePackRequest, reason: string, hints: string[] = []) {
  return gitResult(
    report(request, {
      unpack: reason.replace(/\s+/g, ' '),
      refs: request.commands.map(({ ref }) => ({ ref, error: reason })),
      messages: [`Vega: ${reason}`, ...hints],
    }),
  )
}

export async function receivePack(id: UploadId, authorization: string | undefined, body: Buffer, log: RequestLog) {
  const upload = await authenticateUpload(id, authorization)
  let request: ReceivePackRequest
  try {
    request = parseReceivePack(body)
  } catch (error) {
    if (error instanceof ProtocolError)
      return refuse({ capabilities: [], commands: [], shallow: [], pushOptions: [], pack: body }, error.message)
    throw error
  }
  if (request.commands.length === 0) return gitResult(report(request, { unpack: 'ok', refs: [], messages: [] }))
  const asked = parsePushOptions(request.pushOptions)
  if ('error' in asked) return refuse(request, asked.error)
  const { options } = asked
  // A push may lower the cap its upload was created with, never raise it.
  const maxCost =
    options.maxCost === undefined
      ? upload.max_cost
      : Math.min(options.maxCost, upload.max_cost ?? Number.POSITIVE_INFINITY)
  const baselineScan = ScanId.safeParse(options.baseline)
  if (baselineScan.success) {
    const baseline = await getScan(baselineScan.data)
    if (baseline?.repository_id !== upload.repository_id)
      return refuse(request, `push option vega.baseline: no scan ${options.baseline} in this repository`)
  }

  const status = statusOf(upload)
  if (status === 'expired')
    return refuse(request, `upload ${id} expired at ${upload.expires_at}`, [
      'Create a new upload: POST /v1/git-uploads',
    ])
  if (status === 'released')
    return refuse(request, `upload ${id} was released by its owner and takes no push`, [
      'Create a new upload: POST /v1/git-uploads',
    ])
  if (status !== 'awaiting_push')
    return refuse(request, `upload ${id} already took its one push`, ['Create a new upload for another push'])
  const deletes = request.commands.filter((command) => command.newOid === zeroOid)
  if (deletes.length) return refuse(request, 'deleting refs is not accepted')
  const foreign = request.commands.filter((command) => !/^refs\/(heads|tags)\//.test(command.ref))
  if (foreign.length) return refuse(request, 'only refs/heads/* and refs/tags/* are accepted')
  for (const { ref } of request.commands) {
    const problem = refNameProblem(ref)
    if (problem) return refuse(request, `the ref name ${JSON.stringify(ref.slice(0, 100))} ${problem}`)
  }
  const limits = await limitsOf(upload.workspace_id)
  const limit = pushLimitOf(limits)
  if (request.pack.length > limit) {
    return refuse(request, `the push is ${request.pack.length} bytes; git_push_max_bytes is ${limit}`, [
      'Push a snapshot of the tip only:',
      `  git push <remote> $(git commit-tree "HEAD^{tree}" -m snapshot):refs/heads/main`,
      'or upload a bundle to bundle_upload_url, then POST /v1/git-uploads/{id}/complete',
    ])
  }
  const pack = checkPack(request.pack)
  if ('error' in pack) return refuse(request, pack.error)
  let admission: ScanAdmission
  try {
    admission = await admitScan(upload.workspace_id, request.pack.length, maxCost, limits)
  } catch (error) {
    if (error instanceof ApiError) return refuse(request, `${error.code}: ${error.message}`, figuresOf(error))
    throw error
  }

  const key = objectKeys.push(upload.workspace_id, upload.repository_id, upload.id, randomBytes(6).toString('hex'))
  await putObject(key, request.pack, 'application/x-git-packed-objects')
  const refs = request.commands.map(({ ref, newOid }) => ({ ref, oid: newOid }))
  // What the pack may be thin against: the objects the advertisement offered (the same unless a scan ended
  // between git's two requests, and then a later pack of the same repository).
  const base = await offeredObjects(upload)
  let scanId: ScanRecord['id'] | undefined
  try {
    scanId = await queueScanOf(
      { ...upload, max_cost: maxCost },
      {
        kind: 'pack',
        key,
        bytes: request.pack.length,
        objects: pack.objects,
        refs,
        ...baseOf(base),
      },
      admission,
      options.engines,
      options.baseline,
    )
  } catch (error) {
    // The day's last scan was taken by a racing request; the stored pack is an orphan the cleanup removes.
    const known = knownApiError(error)
    if (known) return refuse(request, `${known.code}: ${known.message}`, figuresOf(known))
    throw error
  }
  if (!scanId) return refuse(request, `upload ${id} already took its one push`)
  const received = [
    `Vega received ${pack.objects} objects (${request.pack.length} bytes) for upload ${upload.id}.`,
    `Scan ${scanId} queued: ${publicUrl(`/v1/scans/${scanId}`)}`,
    ...(options.waitS
      ? []
      : [
          `Findings, once it is done: ${publicUrl(`/v1/repositories/${upload.repository_id}/findings?scan=${scanId}`)}`,
        ]),
    ...asked.notes,
  ]
  const { waitS } = options
  if (!waitS) return gitResult(report(request, { unpack: 'ok', refs: accepted(request), messages: received }))
  const verdict = (listener: Listener) => pushVerdict(scanId, upload.repository_id, { ...options, waitS }, listener)
  return Reply.stream(verdictStream(request, received, log, verdict), gitResultType, { 'cache-control': 'no-cache' })
}

const accepted = (request: ReceivePackRequest, rejection?: string) =>
  request.commands.map(({ ref }) => ({ ref, error: rejection }))

/**
 * A waiting push's answer, written as it happens: what was received and queued at once, then each progress
 * line of the scan, then the verdict and the ref status last (which ref git reports rejected is only known
 * then). If the wait itself breaks, the refs are rejected, never reported pushed on a verdict nobody saw.
 */
function verdictStream(
  request: ReceivePackRequest,
  received: string[],
  log: RequestLog,
  wait: (listener: Listener) => Promise<{ lines: string[]; rejection?: string }>,
): Readable {
  const body = new PassThrough()
  // A client that went away (or a gateway that cut the stream) ends the wait; the scan goes on.
  const gone = new AbortController()
  body.on('close', () => gone.abort())
  const send = (bytes: Buffer) => {
    if (!body.destroyed) body.write(bytes)
  }
  send(progress(request, received))
  wait({ say: (line) => send(progress(request, [line])), signal: gone.signal })
    .catch((error: unknown) => {
      log.error('waiting for a push verdict failed', error)
      return { lines: ['Vega: the verdict could not be read; the scan goes on'], rejection: 'vega: no verdict' }
    })
    .then((verdict) => {
      send(progress(request, verdict.lines))
      send(reportStatus(request, { unpack: 'ok', refs: accepted(request, verdict.rejection) }))
      body.end()
    })
  return body
}

/**
 * Claims the upload and queues its scan in the scan's own transaction: the caller answers the client only
 * after this, so nothing acknowledged is lost. Undefined when the upload was claimed meanwhile.
 */
async function queueScanOf(
  upload: BilledUpload,
  input: ScanRecord['input'],
  admission?: ScanAdmission,
  engines: readonly string[] = engineNames,
  baseline?: string,
): Promise<ScanRecord['id'] | undefined> {
  try {
    const scan = await queueScan({
      of: {
        workspace_id: upload.workspace_id,
        project_id: upload.project_id,
        repository_id: upload.repository_id,
        upload_id: upload.id,
      },
      input,
      engines: [...engines],
      baseline,
      actor: systemActor,
      maxCost: upload.max_cost,
      admission,
      claim: { item: (scan, now) => claimForPush(upload.id, scan, now), lost: () => new ProtocolError('claimed') },
      events: [
        {
          type: 'upload.received',
          data: {
            upload_id: upload.id,
            kind: input.kind,
            bytes: input.bytes,
            ...(input.objects ? { objects: input.objects } : {}),
          },
        },
      ],
    })
    return scan.id
  } catch (error) {
    if (error instanceof ProtocolError) return undefined
    throw error
  }
}

/** After a bundle was PUT to bundle_upload_url: check its header and size, then queue its scan. */
export async function complete(access: Access, id: UploadId) {
  const upload = await findUpload(access, id)
  const status = statusOf(upload)
  if (status === 'expired') throw gone(`Upload ${id} expired at ${upload.expires_at}; create a new one`)
  if (status !== 'awaiting_push') throw conflict(`Upload ${id} is ${status}; it takes one push or one bundle`)
  const key = objectKeys.bundle(upload.workspace_id, upload.repository_id, upload.id)
  const size = await objectSize(key)
  if (size === undefined) throw conflict('Nothing was uploaded to bundle_upload_url yet')
  const limits = await limitsOf(upload.workspace_id)
  const limit = limits.values.bundle_max_bytes
  if (size > limit)
    throw new ApiError('payload_too_large', `The bundle is ${size} bytes; bundle_max_bytes is ${limit}`, {
      limit: 'bundle_max_bytes',
      limit_bytes: limit,
    })
  let refs: { ref: string; oid: string }[]
  try {
    // The header is enough here; the worker verifies the pack itself, every object and its checksum.
    refs = parseBundle(await getObjectStart(key, Math.min(size, 1024 * 1024))).refs
    for (const { ref } of refs) {
      const problem = ref === 'HEAD' ? undefined : refNameProblem(ref)
      if (problem) throw badRequest(`The bundle's ref name ${JSON.stringify(ref.slice(0, 100))} ${problem}`)
    }
  } catch (error) {
    if (error instanceof GitError)
      throw badRequest(`The upload is not a usable git bundle: ${error.message}`, { code: error.code })
    throw error
  }
  // A bundle holds every object, but the earlier push's saved history walk still spares walking it again.
  const scanId = await queueScanOf(upload, {
    kind: 'bundle',
    key,
    bytes: size,
    refs,
    ...baseOf(await offeredObjects(upload)),
  })
  if (!scanId) throw conflict(`Upload ${id} took its push meanwhile`)
  return toGitUpload({ ...upload, status: 'received', scan_id: scanId }, undefined, limits)
}

const minPackEntryBytes = 9

/** The pack's signature, version, object count and trailing SHA-1, checked before anything is stored. */
function checkPack(pack: Buffer): { objects: number } | { error: string } {
  if (pack.length < 32 || pack.subarray(0, 4).toString('ascii') !== 'PACK')
    return { error: 'the push carries no packfile' }
  const version = pack.readUInt32BE(4)
  if (version !== 2 && version !== 3) return { error: `pack version ${version} is not supported` }
  const trailer = pack.subarray(pack.length - 20)
  const digest = createHash('sha1')
    .update(pack.subarray(0, pack.length - 20))
    .digest()
  if (!digest.equals(trailer)) return { error: 'the packfile is truncated or corrupt (checksum mismatch)' }
  const objects = pack.readUInt32BE(8)
  // An entry takes at least a 1-byte header and an 8-byte zlib stream: a count the bytes cannot hold is
  // a lie, refused before it is acknowledged (the worker would fail it later, after the client left).
  const most = Math.floor((pack.length - 32) / minPackEntryBytes)
  if (objects > most)
    return { error: `the pack claims ${objects} objects; its ${pack.length} bytes hold at most ${most}` }
  return { objects }
}

/** A refusal's figures as lines git prints under the reason. */
const figuresOf = (error: ApiError) =>
  Object.entries(error.details)
    .filter(([name]) => name !== 'message' && name !== 'issues')
    .map(([name, value]) => `  ${name}: ${value}`)
