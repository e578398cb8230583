// What a delivery says about the thing an event is about: small, stable shapes built from the stored
// records, with links to read the rest through the API. docs/integrations.md ("Payload") lists them.
import { publicUrl } from '../config.js'
import type { ApiKeyRecord } from '../data/api-keys.js'
import type { DismissalRecord } from '../data/dismissals.js'
import type { FindingRecord } from '../data/findings.js'
import type { ScanRecord } from '../data/scans.js'
import type { WebhookRecord } from '../data/webhooks.js'
import type { RepositoryId, ScanId } from '../ids.js'

export const scanResource = (scan: ScanRecord) => ({
  id: scan.id,
  repository_id: scan.repository_id,
  project_id: scan.project_id,
  upload_id: scan.upload_id,
  status: scan.status,
  error: scan.error,
  created_at: scan.created_at,
  started_at: scan.started_at,
  finished_at: scan.finished_at,
  stats: scan.stats
    ? {
        files: scan.stats.files,
        bytes: scan.stats.bytes,
        commits: scan.stats.commits,
        duration_ms: scan.stats.duration_ms,
      }
    : null,
  engines: scan.engines,
  gate: scan.gate ?? null,
  links: {
    self: publicUrl(`/v1/scans/${scan.id}`),
    findings: publicUrl(`/v1/repositories/${scan.repository_id}/findings?scan=${scan.id}`),
  },
})

export const findingResource = (finding: FindingRecord) => ({
  id: finding.id,
  repository_id: finding.repository_id,
  engine: finding.engine,
  rule_id: finding.rule_id,
  severity: finding.severity,
  title: finding.title,
  message: finding.message,
  path: finding.path,
  start_line: finding.start_line,
  end_line: finding.end_line,
  // Already redacted when stored: a secret's value is never in a finding, so never in a delivery.
  snippet: finding.snippet,
  context: finding.context ?? null,
  status: finding.status,
  cwe: finding.cwe,
  first_seen_scan_id: finding.first_seen_scan_id,
  last_seen_scan_id: finding.last_seen_scan_id,
  links: { self: publicUrl(`/v1/repositories/${finding.repository_id}/findings/${finding.id}`) },
})

/**
 * A revoked key, without its name or scopes (a personal key's event goes to every workspace its owner is
 * in, whose admins never saw it listed), and for a leaked key where the scan found it.
 */
export const apiKeyResource = (
  key: ApiKeyRecord,
  revoked: { reason: 'revoked' | 'leaked'; at: string; found_in?: { repository_id: RepositoryId; scan_id: ScanId } },
) => ({
  id: key.id,
  prefix: key.prefix,
  owner: key.owner,
  revoked_reason: revoked.reason,
  revoked_at: revoked.at,
  found_in: revoked.found_in ?? null,
})

export const dismissalResource = (request: DismissalRecord) => ({
  id: request.id,
  finding_id: request.finding_id,
  repository_id: request.repository_id,
  reason: request.reason,
  comment: request.comment,
  requested_by: request.requested_by,
  created_at: request.created_at,
  expires_at: request.expires_at,
  links: {
    finding: publicUrl(`/v1/repositories/${request.repository_id}/findings/${request.finding_id}`),
    approve: publicUrl(`/v1/dismissal-requests/${request.id}/approve`),
  },
})

/** A ping's resource: the endpoint itself, as its admins see it (never its secret). */
export const webhookResource = (webhook: WebhookRecord) => ({
  id: webhook.id,
  url: webhook.url,
  events: webhook.events,
})
