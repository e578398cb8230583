// Every partition and sort key format Vega uses, and nothing else. No other file spells a key.
// Each key is an export of its own, read through a namespace (`import * as keys from './keys.js'`), so a
// function's bundle holds only the keys its routes use.
import type {
  ApiKeyId,
  DismissalRequestId,
  EventId,
  FindingId,
  LoginId,
  ProjectId,
  RepositoryId,
  ScanId,
  SessionId,
  SuppressionId,
  UploadId,
  UserId,
  WebhookDeliveryId,
  WebhookEventId,
  WebhookId,
  WorkspaceId,
} from '../ids.js'

/** How many partitions the active-scan index spreads over. */
export const activeShards = 4
const activeShardOf = (id: string) => id.charCodeAt(id.length - 1) % activeShards
/** How many items one day of a workspace's overview counters spreads over. */
export const overviewShards = 8
const overviewShardOf = (id: string) => id.charCodeAt(id.length - 1) % overviewShards

export const user = (id: UserId) => ({ pk: `USER#${id}`, sk: 'PROFILE' })
/** Makes an email unique across users, and finds the user at login. */
export const userEmail = (email: string) => ({ pk: `EMAIL#${email.toLowerCase()}`, sk: 'EMAIL' })
export const workspace = (id: WorkspaceId) => ({ pk: `WS#${id}`, sk: 'WORKSPACE' })
/** A membership lives under its workspace (members of a workspace) and, on gsi1, under its user. */
export const membership = (workspace: WorkspaceId, user: UserId) => ({
  pk: `WS#${workspace}`,
  sk: `MEMBER#${user}`,
  gsi1pk: `USER#${user}`,
  gsi1sk: `WS#${workspace}`,
})
export const membersOf = (workspace: WorkspaceId) => ({ pk: `WS#${workspace}`, skPrefix: 'MEMBER#' })
export const membershipsOfUser = (user: UserId) => ({ gsi1pk: `USER#${user}`, gsi1skPrefix: 'WS#' })

/** A signed-in session; its refresh tokens point at it, and revoking it ends them all. */
export const login = (id: LoginId) => ({ pk: `LOGIN#${id}`, sk: 'LOGIN' })
export const refreshToken = (sha256: string) => ({ pk: `REFRESH#${sha256}`, sk: 'REFRESH' })
export const setupToken = (sha256: string) => ({ pk: `SETUP#${sha256}`, sk: 'SETUP' })

/** An API key is found by the SHA-256 of its secret; listed by owner on gsi1; found by id on gsi2. */
export const apiKey = (sha256: string, id: ApiKeyId, owner: UserId | WorkspaceId) => ({
  pk: `APIKEY#${sha256}`,
  sk: 'APIKEY',
  gsi1pk: `KEYOWNER#${owner}`,
  gsi1sk: `KEY#${id}`,
  gsi2pk: `KEYID#${id}`,
  gsi2sk: 'APIKEY',
})
export const apiKeyBySecret = (sha256: string) => ({ pk: `APIKEY#${sha256}`, sk: 'APIKEY' })
export const apiKeysOf = (owner: UserId | WorkspaceId) => ({ gsi1pk: `KEYOWNER#${owner}`, gsi1skPrefix: 'KEY#' })
export const apiKeyById = (id: ApiKeyId) => ({ gsi2pk: `KEYID#${id}`, gsi2sk: 'APIKEY' })

/** A project is read by id (strongly consistent) and listed per workspace on gsi1. */
export const project = (workspace: WorkspaceId, id: ProjectId) => ({
  pk: `PRJ#${id}`,
  sk: 'PROJECT',
  gsi1pk: `WSPRJ#${workspace}`,
  gsi1sk: `PRJ#${id}`,
})
export const projectById = (id: ProjectId) => ({ pk: `PRJ#${id}`, sk: 'PROJECT' })
export const projectsOf = (workspace: WorkspaceId) => ({ gsi1pk: `WSPRJ#${workspace}`, gsi1skPrefix: 'PRJ#' })
/** Makes a project name unique in its workspace (case-insensitive). */
export const projectName = (workspace: WorkspaceId, name: string) => ({
  pk: `WS#${workspace}`,
  sk: `PRJNAME#${name.toLowerCase()}`,
})

/** A repository is read by id; listed per project on gsi1 and per workspace on gsi2. */
export const repository = (workspace: WorkspaceId, project: ProjectId, id: RepositoryId) => ({
  pk: `REPO#${id}`,
  sk: 'REPOSITORY',
  gsi1pk: `PRJREPO#${project}`,
  gsi1sk: `REPO#${id}`,
  gsi2pk: `WSREPO#${workspace}`,
  gsi2sk: `REPO#${id}`,
})
export const repositoryById = (id: RepositoryId) => ({ pk: `REPO#${id}`, sk: 'REPOSITORY' })
export const repositoriesOfProject = (project: ProjectId) => ({ gsi1pk: `PRJREPO#${project}`, gsi1skPrefix: 'REPO#' })
export const repositoriesOfWorkspace = (workspace: WorkspaceId) => ({
  gsi2pk: `WSREPO#${workspace}`,
  gsi2skPrefix: 'REPO#',
})
export const repositoryName = (project: ProjectId, name: string) => ({
  pk: `PRJ#${project}`,
  sk: `REPONAME#${name.toLowerCase()}`,
})

/** A temporary git remote, read by id; a repository's uploads on gsi1, newest last. */
export const upload = (repository: RepositoryId, id: UploadId) => ({
  pk: `UPL#${id}`,
  sk: 'UPLOAD',
  gsi1pk: `REPOUPL#${repository}`,
  gsi1sk: `UPL#${id}`,
})
export const uploadById = (id: UploadId) => ({ pk: `UPL#${id}`, sk: 'UPLOAD' })
export const uploadsOf = (repository: RepositoryId) => ({ gsi1pk: `REPOUPL#${repository}`, gsi1skPrefix: 'UPL#' })

/** A legacy upload session, read by id; a repository's sessions on gsi1. */
export const session = (repository: RepositoryId, id: SessionId) => ({
  pk: `SES#${id}`,
  sk: 'SESSION',
  gsi1pk: `REPOSES#${repository}`,
  gsi1sk: `SES#${id}`,
})
export const sessionById = (id: SessionId) => ({ pk: `SES#${id}`, sk: 'SESSION' })
export const sessionsOf = (repository: RepositoryId) => ({ gsi1pk: `REPOSES#${repository}`, gsi1skPrefix: 'SES#' })

/** A scan, read by id; listed per repository on gsi1 and per project on gsi2. */
export const scan = (project: ProjectId, repository: RepositoryId, id: ScanId) => ({
  pk: `SCAN#${id}`,
  sk: 'SCAN',
  gsi1pk: `REPOSCAN#${repository}`,
  gsi1sk: `SCAN#${id}`,
  gsi2pk: `PRJSCAN#${project}`,
  gsi2sk: `SCAN#${id}`,
})
export const scanById = (id: ScanId) => ({ pk: `SCAN#${id}`, sk: 'SCAN' })
/** The packages a scan's lockfiles named (its SBOM's input), gzipped JSON in parts, beside the scan. */
export const inventoryPart = (id: ScanId, part: number) => ({
  pk: `SCAN#${id}`,
  sk: `INV#${String(part).padStart(4, '0')}`,
})
export const inventoryOf = (id: ScanId) => ({ pk: `SCAN#${id}`, skPrefix: 'INV#' })
/** Present only while a scan is queued or running (a sparse index), spread over a few partitions. */
export const activeScan = (id: ScanId, since: string) => ({
  gsi3pk: `ACTIVE#${activeShardOf(id)}`,
  gsi3sk: `${since}#${id}`,
})
export const activeScans = (shard: number) => ({ gsi3pk: `ACTIVE#${shard}` })
export const scansOfRepository = (repository: RepositoryId) => ({
  gsi1pk: `REPOSCAN#${repository}`,
  gsi1skPrefix: 'SCAN#',
})
export const scansOfProject = (project: ProjectId) => ({ gsi2pk: `PRJSCAN#${project}`, gsi2skPrefix: 'SCAN#' })

/**
 * A finding is one per (repository, fingerprint): its id is derived from both, so every worker that
 * sees it names the same item. Listed per repository on gsi1.
 */
export const finding = (repository: RepositoryId, id: FindingId) => ({
  pk: `FND#${id}`,
  sk: 'FINDING',
  gsi1pk: `REPOFND#${repository}`,
  gsi1sk: `FND#${id}`,
})
export const findingById = (id: FindingId) => ({ pk: `FND#${id}`, sk: 'FINDING' })
export const findingsOf = (repository: RepositoryId) => ({ gsi1pk: `REPOFND#${repository}`, gsi1skPrefix: 'FND#' })
/**
 * A finding's place in its workspace's list on gsi2, in the order findings were first seen: its
 * workspace and creation time never change, so neither does the key (GET /v1/findings).
 */
export const findingInWorkspace = (workspace: WorkspaceId, createdAt: string, id: FindingId) => ({
  gsi2pk: `WSFND#${workspace}`,
  gsi2sk: `FND#${createdAt}#${id}`,
})
/** A workspace's findings on gsi2, first seen at or after `since` when given (a key range, not a filter). */
export const findingsOfWorkspace = (workspace: WorkspaceId, since?: string) => ({
  gsi2pk: `WSFND#${workspace}`,
  gsi2skPrefix: 'FND#',
  gsi2skFrom: since === undefined ? undefined : `FND#${since}`,
})
/**
 * Present on a finding only while it is open and critical (a sparse index on gsi3), oldest first: the
 * overview's oldest open critical is the first item, and `status=open&severity=critical` a key range.
 */
export const openCritical = (workspace: WorkspaceId, createdAt: string, id: FindingId) => ({
  gsi3pk: `OPENCRIT#${workspace}`,
  gsi3sk: `FND#${createdAt}#${id}`,
})
export const openCriticalsOf = (workspace: WorkspaceId, since?: string) => ({
  gsi3pk: `OPENCRIT#${workspace}`,
  gsi3skPrefix: 'FND#',
  gsi3skFrom: since === undefined ? undefined : `FND#${since}`,
})
/** One per scan that saw the finding, under the finding; a scan's findings on gsi2. */
export const occurrence = (finding: FindingId, scan: ScanId) => ({
  pk: `FND#${finding}`,
  sk: `OCC#${scan}`,
  gsi2pk: `SCANFND#${scan}`,
  gsi2sk: `FND#${finding}`,
})
export const occurrencesOf = (finding: FindingId) => ({ pk: `FND#${finding}`, skPrefix: 'OCC#' })
export const findingsOfScan = (scan: ScanId) => ({ gsi2pk: `SCANFND#${scan}`, gsi2skPrefix: 'FND#' })
/** Who changed a finding's triage, when and why, under the finding, oldest first. */
export const findingHistory = (finding: FindingId, event: EventId) => ({ pk: `FND#${finding}`, sk: `HIST#${event}` })
export const findingHistoryOf = (finding: FindingId) => ({ pk: `FND#${finding}`, skPrefix: 'HIST#' })
/** A later fingerprint of a finding (its file was renamed) that names the finding it continues. */
export const fingerprintAlias = (repository: RepositoryId, fingerprint: string) => ({
  pk: `FPALIAS#${repository}#${fingerprint}`,
  sk: 'ALIAS',
  gsi1pk: `REPOALIAS#${repository}`,
  gsi1sk: `ALIAS#${fingerprint}`,
})
export const aliasesOf = (repository: RepositoryId) => ({ gsi1pk: `REPOALIAS#${repository}`, gsi1skPrefix: 'ALIAS#' })

/** A request to dismiss a critical finding, decided by an admin; a workspace's requests on gsi1. */
export const dismissalRequest = (workspace: WorkspaceId, id: DismissalRequestId) => ({
  pk: `DSR#${id}`,
  sk: 'DISMISSAL',
  gsi1pk: `WSDSR#${workspace}`,
  gsi1sk: `DSR#${id}`,
})
export const dismissalRequestById = (id: DismissalRequestId) => ({ pk: `DSR#${id}`, sk: 'DISMISSAL' })
export const dismissalRequestsOf = (workspace: WorkspaceId) => ({ gsi1pk: `WSDSR#${workspace}`, gsi1skPrefix: 'DSR#' })

/** A suppression, under its repository (listed there); read by id through the repository. */
export const suppression = (repository: RepositoryId, id: SuppressionId) => ({
  pk: `REPOSUP#${repository}`,
  sk: `SUP#${id}`,
})
export const suppressionsOf = (repository: RepositoryId) => ({ pk: `REPOSUP#${repository}`, skPrefix: 'SUP#' })

/** A scan policy: one per workspace, and optionally one per project that overrides it. */
export const policy = (owner: WorkspaceId | ProjectId) => ({ pk: `POLICY#${owner}`, sk: 'POLICY' })

/** A repository's timeline: event ids are ULIDs, so the sort key orders events by time. */
export const event = (repository: RepositoryId, id: EventId) => ({ pk: `REPOEVT#${repository}`, sk: `EVT#${id}` })
export const eventsOf = (repository: RepositoryId) => ({ pk: `REPOEVT#${repository}`, skPrefix: 'EVT#' })

/** An OSV advisory, whole, with the packages it is filed under. */
export const advisoryRecord = (id: string) => ({ pk: `ADVREC#${id}`, sk: 'ADVREC' })
/** A package's advisories: the set of record ids that name it (PyPI names PEP 503-normalised). */
export const advisoryPackage = (ecosystem: string, name: string) => ({
  pk: `ADVPKG#${ecosystem}#${name}`,
  sk: 'ADVPKG',
})
/** Per ecosystem: when its advisories were last synced or imported, from where, and how many are stored. */
export const advisoryData = (ecosystem: string) => ({ pk: 'ADVDATA', sk: `ECO#${ecosystem}` })
export const advisoryDataAll = () => ({ pk: 'ADVDATA', skPrefix: 'ECO#' })

// Billing and operations (#9)
/** A usage line item, one per billed scan (its key makes metering once); a workspace's lines on gsi2 by time. */
export const usageLine = (workspace: WorkspaceId, scan: ScanId, at: string) => ({
  pk: `USAGE#${scan}`,
  sk: 'USAGE',
  gsi2pk: `WSUSAGE#${workspace}`,
  gsi2sk: `${at}#${scan}`,
})
export const usageLineOf = (scan: ScanId) => ({ pk: `USAGE#${scan}`, sk: 'USAGE' })
export const usageLinesOf = (workspace: WorkspaceId) => ({ gsi2pk: `WSUSAGE#${workspace}` })
/**
 * Usage summed per period (D: a UTC day, M: a month), dimension and group, in one partition per
 * workspace: one dimension's buckets in a date range are one contiguous key range.
 */
export const usageAggregate = (
  workspace: WorkspaceId,
  period: 'D' | 'M',
  dimension: 'WS' | 'PRJ' | 'REPO',
  bucket: string,
  group: string,
) => ({
  pk: `USAGEAGG#${workspace}`,
  sk: `${period}#${dimension}#${bucket}#${group}`,
})
export const usageAggregateRange = (
  workspace: WorkspaceId,
  period: 'D' | 'M',
  dimension: 'WS' | 'PRJ' | 'REPO',
  first: string,
  last: string,
) => ({
  pk: `USAGEAGG#${workspace}`,
  from: `${period}#${dimension}#${first}#`,
  // '~' sorts after every id character, so the last bucket's groups are all inside the range.
  to: `${period}#${dimension}#${last}#~`,
})
/**
 * The security overview's counters of one UTC day (findings new, fixed and reopened, time to fix, scans
 * and gate failures), in one partition per workspace. A day is split over a few items by the id of what
 * is counted (a finding, a scan), so concurrent transactions seldom meet on one item; the overview sums them.
 */
export const overviewDay = (workspace: WorkspaceId, day: string, spreadBy: string) => ({
  pk: `OVERVIEW#${workspace}`,
  sk: `D#${day}#${overviewShardOf(spreadBy)}`,
})
/** Every item of the days in [first, last]. */
export const overviewDays = (workspace: WorkspaceId, first: string, last: string) => ({
  pk: `OVERVIEW#${workspace}`,
  from: `D#${first}#`,
  // '~' sorts after every shard number, so the last day's items are all inside the range.
  to: `D#${last}#~`,
})
/** A workspace's own limits and monthly budget (its overrides of the configured defaults). */
export const workspaceLimits = (workspace: WorkspaceId) => ({ pk: `WS#${workspace}`, sk: 'LIMITS' })
/** Scans a workspace queued on one UTC day, counted as they are queued; expired by TTL. */
export const scansQueuedOn = (workspace: WorkspaceId, day: string) => ({ pk: `QUOTA#${workspace}`, sk: `SCANS#${day}` })
/** Requests-per-minute overrides by rate-limit subject, in one item the limiter caches. */
export const rateOverrides = () => ({ pk: 'OPS#RATE', sk: 'OVERRIDES' })
/** The last scheduled cleanup (when, and what it did), and where its rate-window sweep resumes. */
export const cleanupState = () => ({ pk: 'OPS#CLEANUP', sk: 'STATE' })
/** Rate-limit windows all live in partitions starting with this (for the cleanup's sweep). */
export const rateWindowPrefix = 'RATE#'
/** A project's scans created at or after a scan id (ids are ULIDs: ordered by creation time). */
export const scansOfProjectSince = (project: ProjectId, firstId: string) => ({
  gsi2pk: `PRJSCAN#${project}`,
  gsi2skFrom: `SCAN#${firstId}`,
})

// Webhooks (#19)
/** A webhook endpoint, read by id; a workspace's endpoints on gsi1, oldest first. */
export const webhook = (workspace: WorkspaceId, id: WebhookId) => ({
  pk: `WHK#${id}`,
  sk: 'WEBHOOK',
  gsi1pk: `WSWHK#${workspace}`,
  gsi1sk: `WHK#${id}`,
})
export const webhookById = (id: WebhookId) => ({ pk: `WHK#${id}`, sk: 'WEBHOOK' })
export const webhooksOf = (workspace: WorkspaceId) => ({ gsi1pk: `WSWHK#${workspace}`, gsi1skPrefix: 'WHK#' })
/** How many webhooks a workspace has, moved with each create and delete, so the limit holds under races. */
export const webhookCount = (workspace: WorkspaceId) => ({ pk: `WS#${workspace}`, sk: 'WEBHOOKS' })
/** One occurrence told to a workspace's webhooks: its id is derived from the occurrence, so it is told once. */
export const webhookEvent = (id: WebhookEventId) => ({ pk: `WHEVT#${id}`, sk: 'EVENT' })
/** One event sent to one webhook, read by id; a webhook's deliveries on gsi1 by creation time. */
export const webhookDelivery = (webhook: WebhookId, id: WebhookDeliveryId, createdAt: string) => ({
  pk: `WHD#${id}`,
  sk: 'DELIVERY',
  gsi1pk: `WHKDLV#${webhook}`,
  gsi1sk: `DLV#${createdAt}#${id}`,
})
export const webhookDeliveryById = (id: WebhookDeliveryId) => ({ pk: `WHD#${id}`, sk: 'DELIVERY' })
export const webhookDeliveriesOf = (webhook: WebhookId) => ({ gsi1pk: `WHKDLV#${webhook}`, gsi1skPrefix: 'DLV#' })

/** An idempotent request: who sent which key to which route. */
export const idempotency = (principal: string, route: string, key: string) => ({
  pk: `IDEM#${principal}#${route}#${key}`,
  sk: 'IDEM',
})

/** A fixed-window counter: one item per subject and window, expired by TTL. */
export const rateWindow = (subject: string, windowStart: number) => ({ pk: `RATE#${subject}`, sk: `W#${windowStart}` })

/** Any item that only needs to exist, for the local stack's persistence check. */
export const probe = (name: string) => ({ pk: `PROBE#${name}`, sk: 'PROBE' })
