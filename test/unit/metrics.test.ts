import { Metrics } from '@aws-lambda-powertools/metrics'
import { describe, expect, it } from 'vitest'
import { recordScanOutcome } from '../../shared/metrics.js'

describe('scan metrics', () => {
  it('counts each outcome, and for a success its duration, bytes, files and new findings, as embedded metrics', () => {
    const metrics = new Metrics({ namespace: 'VegaTest', serviceName: 'vega' })

    recordScanOutcome('succeeded', { duration_ms: 1200, bytes: 4096, files: 12, new_findings: 3 }, metrics)
    recordScanOutcome('failed', undefined, metrics)
    const emf = metrics.serializeMetrics()

    const [directive] = emf._aws.CloudWatchMetrics
    expect(directive!.Namespace).toBe('VegaTest')
    expect(directive!.Metrics.map((metric) => metric.Name).sort()).toEqual(
      ['BytesScanned', 'FilesScanned', 'NewFindings', 'ScanDuration', 'ScansFailed', 'ScansSucceeded'].sort(),
    )
    expect(emf).toMatchObject({ ScanDuration: 1200, NewFindings: 3, ScansSucceeded: 1, ScansFailed: 1 })
  })
})
