// How a receiver knows a delivery is Vega's, Stripe's way: `Vega-Signature: t=<unix seconds>,v1=<hex>`, the
// hex an HMAC-SHA256 of `<t>.<body>` under the endpoint's secret. While a rotated secret's grace period
// runs, a delivery carries one `v1=` per valid secret (the new one first), so a receiver still holding
// the old secret keeps verifying. `t` lets it refuse a replay of an old delivery (docs/integrations.md).
import { createHmac, randomBytes } from 'node:crypto'

export const signatureHeader = 'Vega-Signature'

/** A new signing secret: `whsec_` and 32 random bytes, base64url. Shown once; stored sealed. */
export const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64url')}`

export const signatureOf = (secret: string, timestamp: number, body: string) =>
  createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')

/** The header's value for a body sent at `timestamp` (epoch seconds), signed with each secret. */
export const signatureValue = (secrets: string[], timestamp: number, body: string) =>
  [`t=${timestamp}`, ...secrets.map((secret) => `v1=${signatureOf(secret, timestamp, body)}`)].join(',')
