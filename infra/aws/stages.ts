// What differs between the deployed stages, and the context keys that fill in what only an operator knows
// (a certificate, an alarm address, dashboard origins). Nothing here needs an AWS account: synth is offline.
import { RemovalPolicy } from 'aws-cdk-lib'
import { RetentionDays } from 'aws-cdk-lib/aws-logs'
import type { Node } from 'constructs'
import { stageThrottles, type Throttle } from './throttles.js'

export type StageName = 'dev' | 'prod'

export interface StageSettings {
  name: StageName
  /** Custom domain of the API; used only when `certificateArn` is configured. */
  domainName: string
  /** An ACM certificate for `domainName` in the stack's region (REGIONAL endpoint). No certificate: no custom domain. */
  certificateArn?: string
  /** A Route 53 zone to create the alias record in; without it, point DNS at the `ApiDomainTarget` output yourself. */
  hostedZone?: { id: string; name: string }
  /** Browser origins of the dashboards (CORS of the API and of presigned PUTs). Empty: no CORS at all. */
  dashboardOrigins: string[]
  /** Where alarms go besides the SNS topic's other subscribers. */
  alarmEmail?: string
  logRetention: RetentionDays
  /** Prod keeps its data when the stack goes; dev is disposable. */
  removalPolicy: RemovalPolicy
  deletionProtection: boolean
  /** Requests per second for the whole stage, and the burst above it (API Gateway's token bucket). */
  throttle: Throttle
  /** Scans at once: the worker's reserved concurrency and the event source's maximum concurrency. */
  workerConcurrency: number
  /** Webhook worker invocations at once (each sends up to 10 deliveries side by side). */
  webhookConcurrency: number
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR'
}

export const stages: Record<StageName, StageSettings> = {
  dev: {
    name: 'dev',
    domainName: 'api.dev.vega.example.com',
    dashboardOrigins: [],
    logRetention: RetentionDays.TWO_WEEKS,
    removalPolicy: RemovalPolicy.DESTROY,
    deletionProtection: false,
    throttle: stageThrottles.dev,
    workerConcurrency: 5,
    webhookConcurrency: 2,
    logLevel: 'DEBUG',
  },
  prod: {
    name: 'prod',
    domainName: 'api.vega.example.com',
    dashboardOrigins: [],
    logRetention: RetentionDays.SIX_MONTHS,
    removalPolicy: RemovalPolicy.RETAIN,
    deletionProtection: true,
    throttle: stageThrottles.prod,
    workerConcurrency: 20,
    webhookConcurrency: 10,
    logLevel: 'INFO',
  },
}

/**
 * The stage named by `-c stage=…`, with operator settings from context: `-c certificateArn=…` on the command
 * line, or per stage in cdk.json under `"vega:<stage>": { "certificateArn": … }`. Keys: domainName,
 * certificateArn, hostedZoneId + hostedZoneName, dashboardOrigins (comma-separated or a list), alarmEmail.
 */
export function stageFromContext(node: Node): StageSettings {
  const name = (node.tryGetContext('stage') ?? 'dev') as string
  if (!(name in stages)) throw new Error(`Unknown stage "${name}": use -c stage=dev or -c stage=prod`)
  const base = stages[name as StageName]
  const perStage = (node.tryGetContext(`vega:${name}`) ?? {}) as Record<string, unknown>
  const read = (key: string): unknown => node.tryGetContext(key) ?? perStage[key]
  const text = (key: string) => {
    const value = read(key)
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
  }
  const list = (key: string) => {
    const value = read(key)
    const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : []
    return items.map((item) => String(item).trim()).filter((item) => item !== '')
  }
  const zoneId = text('hostedZoneId')
  const zoneName = text('hostedZoneName')
  const origins = list('dashboardOrigins')
  for (const origin of origins) {
    // A wildcard would let any site read answers with the caller's credentials attached.
    if (!/^https?:\/\/[^/*]+$/.test(origin)) throw new Error(`dashboardOrigins: "${origin}" is not an origin`)
  }
  return {
    ...base,
    domainName: text('domainName') ?? base.domainName,
    certificateArn: text('certificateArn'),
    hostedZone: zoneId && zoneName ? { id: zoneId, name: zoneName } : undefined,
    dashboardOrigins: origins.length ? origins : base.dashboardOrigins,
    alarmEmail: text('alarmEmail'),
  }
}
