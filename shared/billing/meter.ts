// Metering: a scan that finished writes its usage line and aggregates once, priced when it finishes.
// Only succeeded scans are billed: a scan that failed or was cancelled cost the customer nothing.
import { config } from '../config.js'
import type { ScanRecord } from '../data/scans.js'
import { type MeterOutcome, meter, type UsageLineRecord } from '../data/usage.js'
import { costMicros, money, priceOn } from './prices.js'

export async function meterScan(
  scan: Pick<ScanRecord, 'id' | 'workspace_id' | 'project_id' | 'repository_id' | 'engines'>,
  stats: NonNullable<ScanRecord['stats']>,
  at = new Date().toISOString(),
): Promise<MeterOutcome> {
  const price = priceOn(at.slice(0, 10))
  const memory = config().AWS_LAMBDA_FUNCTION_MEMORY_SIZE
  const cost = costMicros({ bytes: stats.bytes, duration_ms: stats.duration_ms, memory_mb: memory }, price)
  const line: UsageLineRecord = {
    scan_id: scan.id,
    workspace_id: scan.workspace_id,
    project_id: scan.project_id,
    repository_id: scan.repository_id,
    engines: scan.engines,
    files: stats.files,
    bytes: stats.bytes,
    commits: stats.commits,
    duration_ms: stats.duration_ms,
    memory_mb: memory,
    cost_micros: cost,
    currency: price.currency,
    price_effective_from: price.effective_from,
    at,
  }
  return meter(line, money(cost))
}
