// Scan metrics as CloudWatch embedded-metric lines (Powertools), for dashboards and alarms on what the
// built-in Lambda metrics cannot see. The namespace comes from POWERTOOLS_METRICS_NAMESPACE (the stack
// sets it); the local stack and the tests set POWERTOOLS_METRICS_DISABLED. Made on first use, after the
// environment is in place.
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics'

let instance: Metrics | undefined
export const metrics = () => {
  instance ??= new Metrics({ serviceName: 'vega' })
  return instance
}

export interface ScanFigures {
  duration_ms: number
  bytes: number
  files: number
  new_findings: number
}

/** One finished scan: its outcome counted, and for a success how long it took and what it read and found. */
export function recordScanOutcome(
  outcome: 'succeeded' | 'failed' | 'cancelled',
  figures?: ScanFigures,
  into = metrics(),
) {
  into.addMetric(`Scans${outcome[0]!.toUpperCase()}${outcome.slice(1)}`, MetricUnit.Count, 1)
  if (!figures) return
  into.addMetric('ScanDuration', MetricUnit.Milliseconds, figures.duration_ms)
  into.addMetric('BytesScanned', MetricUnit.Bytes, figures.bytes)
  into.addMetric('FilesScanned', MetricUnit.Count, figures.files)
  into.addMetric('NewFindings', MetricUnit.Count, figures.new_findings)
}

/** Writes what a batch recorded (nothing when it recorded nothing: no empty-metrics warning). */
export function publishMetrics(from = metrics()) {
  if (from.hasStoredMetrics()) from.publishStoredMetrics()
}
