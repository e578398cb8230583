// What differs between the deployed stages. Nothing here needs an AWS account to read: synth is offline.
import { RemovalPolicy } from 'aws-cdk-lib'
import { RetentionDays } from 'aws-cdk-lib/aws-logs'

export interface StageSettings {
  name: 'dev' | 'prod'
  /** Custom domain of the API, used when a certificate ARN is configured (context `certificateArn`). */
  domainName: string
  logRetention: RetentionDays
  /** Prod keeps its data when the stack goes; dev is disposable. */
  removalPolicy: RemovalPolicy
  deletionProtection: boolean
  /** Requests per second per stage, and the burst above it. */
  throttle: { rateLimit: number; burstLimit: number }
}

export const stages: Record<StageSettings['name'], StageSettings> = {
  dev: {
    name: 'dev',
    domainName: 'api.dev.vega.example.com',
    logRetention: RetentionDays.TWO_WEEKS,
    removalPolicy: RemovalPolicy.DESTROY,
    deletionProtection: false,
    throttle: { rateLimit: 50, burstLimit: 100 },
  },
  prod: {
    name: 'prod',
    domainName: 'api.vega.example.com',
    logRetention: RetentionDays.SIX_MONTHS,
    removalPolicy: RemovalPolicy.RETAIN,
    deletionProtection: true,
    throttle: { rateLimit: 500, burstLimit: 1000 },
  },
}
