// Stage throttling, apart from the CDK stage settings so the local gateway (which must not load
// aws-cdk-lib) applies the very figures the deployed stage does.

/** Requests per second for the whole stage, and the burst above it (API Gateway's token bucket). */
export interface Throttle {
  rateLimit: number
  burstLimit: number
}

export const stageThrottles = {
  dev: { rateLimit: 50, burstLimit: 100 },
  prod: { rateLimit: 500, burstLimit: 1000 },
} as const satisfies Record<string, Throttle>
