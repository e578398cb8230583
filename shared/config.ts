// The only reader of process.env. Parsed once per cold start; a missing variable fails init and names
// the variable, never a value. Endpoints of AWS services are not here: the SDK reads its own
// AWS_ENDPOINT_URL_* variables, so the same code talks to the emulators locally and to AWS in the cloud.
import * as z from './zod.js'

const flag = z.pipe(
  z.enum(['true', 'false']),
  z.transform((value) => value === 'true'),
)

const Env = z.object({
  STAGE: z._default(z.string().check(z.minLength(1)), 'local'),
  TABLE_NAME: z.string().check(z.minLength(1)),
  UPLOADS_BUCKET: z.string().check(z.minLength(1)),
  SCAN_QUEUE_URL: z.url(),
  SCAN_DLQ_URL: z.url(),
  /** The queue webhook deliveries go through (docs/integrations.md "Webhooks"). */
  WEBHOOK_QUEUE_URL: z.url(),
  /** Where clients reach the API, for links in answers and git's `remote:` lines. */
  PUBLIC_BASE_URL: z._default(z.url(), 'http://localhost:8000'),
  /** Browser origins (dashboards) allowed to read answers, comma-separated; empty: none. */
  CORS_ALLOWED_ORIGINS: z.pipe(
    z._default(z.string(), ''),
    z.transform((value) =>
      value
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    ),
  ),
  /** Emulators serve buckets by path, not by virtual host. */
  S3_FORCE_PATH_STYLE: z._default(flag, false),
  AWS_REGION: z._default(z.string().check(z.minLength(1)), 'us-east-1'),
  /** The key that signs access tokens and cursors: a file locally, a Secrets Manager secret in AWS. */
  JWT_SECRET_FILE: z.optional(z.string().check(z.minLength(1))),
  JWT_SECRET_ARN: z.optional(z.string().check(z.startsWith('arn:'))),
  ACCESS_TOKEN_TTL_S: z._default(z.coerce.number().check(z.int(), z.gte(60), z.lte(3600)), 900),
  REFRESH_TOKEN_TTL_S: z._default(z.coerce.number().check(z.int(), z.gte(3600)), 30 * 24 * 3600),
  /** Requests per minute per principal (a user or an API key). */
  RATE_LIMIT_PER_MINUTE: z._default(z.coerce.number().check(z.int(), z.gte(1)), 600),
  /**
   * Login attempts per 15 minutes (docs/auth.md, "Login limits"): per account from one source address;
   * per account from sources it never signed in from, after which those are slowed to
   * LOGIN_SLOWED_PER_MINUTE; and per source address across accounts.
   */
  LOGIN_LIMIT_PER_ACCOUNT_SOURCE: z._default(z.coerce.number().check(z.int(), z.gte(1)), 10),
  LOGIN_LIMIT_PER_ACCOUNT: z._default(z.coerce.number().check(z.int(), z.gte(1)), 10),
  LOGIN_SLOWED_PER_MINUTE: z._default(z.coerce.number().check(z.int(), z.gte(1)), 2),
  LOGIN_LIMIT_PER_SOURCE: z._default(z.coerce.number().check(z.int(), z.gte(1)), 50),
  /**
   * The largest push body the git endpoint takes. A body reaches Lambda base64-encoded inside its 6 MB
   * invocation payload (6,291,456 bytes): 4.5 MB of pack becomes 6.0 MB, leaving room for the event.
   */
  GIT_PUSH_MAX_BYTES: z._default(z.coerce.number().check(z.int(), z.gte(1024)), 4_500_000),
  /**
   * The longest `git push -o vega.wait=N` holds its answer. Through a buffered integration (29 s) 20 s
   * leaves time to store the pack; where the answer streams (the local stack, and in AWS the git-uploads
   * streaming function, infra/aws/constructs/api.ts) it is 600.
   */
  GIT_PUSH_WAIT_MAX_S: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(900)), 20),
  /** The largest git bundle an upload takes through its presigned URL. */
  BUNDLE_MAX_BYTES: z._default(z.coerce.number().check(z.int(), z.gte(1024)), 1024 * 1024 * 1024),
  /** The legacy sessions' archives: compressed size, inflated total, entry count and compression ratio. */
  ARCHIVE_MAX_BYTES: z._default(z.coerce.number().check(z.int(), z.gte(1024)), 256 * 1024 * 1024),
  ARCHIVE_MAX_INFLATED_BYTES: z._default(z.coerce.number().check(z.int(), z.gte(1024)), 1024 * 1024 * 1024),
  ARCHIVE_MAX_ENTRIES: z._default(z.coerce.number().check(z.int(), z.gte(1)), 100_000),
  /** Source code compresses 3–10×; a bomb compresses thousands of times. */
  ARCHIVE_MAX_RATIO: z._default(z.coerce.number().check(z.gte(2)), 200),
  /** How long a new upload waits for its push, and the longest it may be extended to. */
  UPLOAD_TTL_S: z._default(z.coerce.number().check(z.int(), z.gte(60)), 15 * 60),
  UPLOAD_MAX_TTL_S: z._default(z.coerce.number().check(z.int(), z.gte(60)), 2 * 3600),
  /** The time one scan may take, checkout and engines together; past it the scan fails with time_budget. */
  SCAN_TIME_BUDGET_S: z._default(z.coerce.number().check(z.int(), z.gte(10)), 300),
  /**
   * A scan with more than this to read (blob bytes no earlier scan found clean) is split into shards, each
   * a worker invocation of its own with its own time budget (shared/worker/shards.ts); at most
   * SCAN_MAX_SHARDS of them.
   */
  SCAN_SHARD_BYTES: z._default(z.coerce.number().check(z.int(), z.gte(1024)), 256 * 1024 * 1024),
  SCAN_MAX_SHARDS: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(64)), 8),
  /** Triage: how long a dismissal request waits for an admin, and how many findings one bulk call changes. */
  DISMISSAL_REQUEST_TTL_S: z._default(z.coerce.number().check(z.int(), z.gte(60)), 7 * 24 * 3600),
  TRIAGE_BULK_MAX: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100_000)), 5000),
  // Billing and operations (#9): prices, estimates, quotas and their defaults (docs/billing.md).
  /**
   * The price table: entries with the date they take effect (UTC), newest wins for a scan finished on or
   * after it. One currency for the whole table, so sums never mix currencies.
   */
  PRICE_TABLE: z.pipe(
    z.pipe(
      z._default(
        z.string(),
        '[{"effective_from":"2026-01-01","currency":"USD","per_scan":0.002,"per_gb_scanned":0.1,"per_gb_second":0.00005}]',
      ),
      z.transform((text: string, context) => {
        try {
          return JSON.parse(text) as unknown
        } catch {
          context.issues.push({ code: 'custom', message: 'not JSON', input: text })
          return z.NEVER
        }
      }),
    ),
    z
      .array(
        z.object({
          effective_from: z.iso.date(),
          currency: z.string().check(z.length(3)),
          per_scan: z.number().check(z.gte(0)),
          per_gb_scanned: z.number().check(z.gte(0)),
          per_gb_second: z.number().check(z.gte(0)),
        }),
      )
      .check(
        z.minLength(1),
        z.refine((entries) => new Set(entries.map((entry) => entry.currency)).size === 1, 'one currency'),
      ),
  ),
  /** Lambda sets it; the local worker is metered as the AWS worker's 3,538 MB (infra/aws/constructs/worker.ts). */
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: z._default(z.coerce.number().check(z.int(), z.gte(128)), 3538),
  /** A cost estimate's guesses: a pack inflates about 3x into the files scanned, scanned at 5 MB/s. */
  ESTIMATE_EXPANSION: z._default(z.coerce.number().check(z.gte(1)), 3),
  ESTIMATE_BYTES_PER_S: z._default(z.coerce.number().check(z.int(), z.gte(1)), 5_000_000),
  /** Quota defaults of every workspace; a workspace's overrides are stored with it (PUT /v1/ops/limits). */
  SCANS_PER_DAY: z._default(z.coerce.number().check(z.int(), z.gte(1)), 500),
  CONCURRENT_SCANS: z._default(z.coerce.number().check(z.int(), z.gte(1)), 10),
  /** Scan inputs in S3 are kept this long; the bucket's lifecycle rule removes them after 7 days anyway. */
  RETENTION_DAYS: z._default(z.coerce.number().check(z.int(), z.gte(1)), 7),
  /** A monthly budget every workspace gets unless it sets its own; unset: none. */
  MONTHLY_BUDGET: z.optional(z.coerce.number().check(z.positive())),
  /**
   * The operator's workspace: the advisory store serves every workspace, so only its admins (or its
   * workspace keys with the ops scope) import advisories. Unset (local stacks): any workspace's admins.
   */
  OPERATOR_WORKSPACE_ID: z.optional(z.string().check(z.startsWith('ws_'))),
  /**
   * Where the daily advisory sync reads OSV's export (`<ecosystem>/all.zip`, `modified_id.csv`, `<id>.json`):
   * OSV's public bucket, or a mirror of it.
   */
  ADVISORY_EXPORT_URL: z._default(z.url(), 'https://osv-vulnerabilities.storage.googleapis.com'),
  /** An advisory ecosystem last synced longer ago than this is reported stale (ops workers, readyz). */
  ADVISORY_STALE_AFTER_H: z._default(z.coerce.number().check(z.gte(1)), 48),
  /** How long a dashboard may reuse a billing summary before asking again (with If-None-Match). */
  BILLING_MAX_AGE_S: z._default(z.coerce.number().check(z.int(), z.gte(0)), 60),
  // Webhooks (#19): what a stage lets endpoints be, and how deliveries are tried (docs/integrations.md).
  /**
   * Lets webhook endpoints be plain `http://` and resolve to loopback, private or link-local addresses: the
   * local stack's setting (its tests deliver to a receiver on 127.0.0.1). Never set in a deployed stage,
   * where such an endpoint would let anyone with an admin's role make Vega call into its own network.
   */
  WEBHOOK_ALLOW_LOCAL_TARGETS: z._default(flag, false),
  /** How long one delivery attempt waits for the receiver's answer (connecting included). */
  WEBHOOK_TIMEOUT_MS: z._default(z.coerce.number().check(z.int(), z.gte(100), z.lte(30_000)), 10_000),
  /** The wait after a first failed attempt; each next wait is four times longer, at most 6 hours. */
  WEBHOOK_RETRY_BASE_S: z._default(z.coerce.number().check(z.int(), z.gte(1)), 30),
  /** Past this long after its first attempt a delivery is not tried again: it is marked failed. */
  WEBHOOK_RETRY_FOR_S: z._default(z.coerce.number().check(z.int(), z.gte(1)), 24 * 3600),
  /** How long readiness waits for one dependency before calling it down. */
  READINESS_TIMEOUT_MS: z._default(z.coerce.number().check(z.int(), z.gte(100), z.lte(10_000)), 2_000),
})
export type Config = z.infer<typeof Env>
/** The variables the code reads: CDK may set these and nothing else. */
export const configNames = Object.keys(Env.shape) as (keyof Config)[]

let cached: Config | undefined
export function config(): Config {
  if (cached) return cached
  const parsed = Env.safeParse(process.env)
  if (!parsed.success) {
    const names = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ')
    throw new Error(`Invalid or missing configuration: ${names}`)
  }
  cached = parsed.data
  return cached
}

/** The version a build reports; set by the bundler in AWS, read from package.json locally. */
export const version = (): string => process.env.VEGA_VERSION ?? '0.1.0'

/** An absolute link under the public base URL, keeping its path (API Gateway's `/api` stage, say). */
export function publicUrl(path: string, baseUrl = config().PUBLIC_BASE_URL): string {
  const base = new URL(baseUrl)
  return new URL(`${base.pathname.replace(/\/$/, '')}${path}`, base).href
}
