// What a scan costs: usage × the price table in configuration (DESIGN.md "Billing and limits").
// Costs are kept in integer micro-units of the currency, so sums of lines and aggregates agree exactly.
import { type Config, config } from '../config.js'
import type { estimateBases } from '../data/scans.js'

export type PriceEntry = Config['PRICE_TABLE'][number]

export interface MeteredUsage {
  bytes: number
  duration_ms: number
  /** The worker's memory, for GB-seconds as Lambda counts them (MB / 1024 × seconds). */
  memory_mb: number
}

const micros = 1_000_000
const bytesPerGb = 1_000_000_000

/** The price entry in force on a day (YYYY-MM-DD): the latest that took effect on or before it. */
export function priceOn(day: string, table: PriceEntry[] = config().PRICE_TABLE): PriceEntry {
  const sorted = [...table].sort((a, b) => a.effective_from.localeCompare(b.effective_from))
  return sorted.filter((entry) => entry.effective_from <= day).at(-1) ?? sorted[0]!
}

/** The entries that priced some day of a period, oldest first: what a summary says it applied. */
export function pricesIn(from: string, to: string, table: PriceEntry[] = config().PRICE_TABLE): PriceEntry[] {
  const sorted = [...table].sort((a, b) => a.effective_from.localeCompare(b.effective_from))
  const first = priceOn(from, sorted)
  return sorted.filter((entry) => entry === first || (entry.effective_from > from && entry.effective_from <= to))
}

export const currency = () => config().PRICE_TABLE[0]!.currency

export const gbSeconds = (usage: Pick<MeteredUsage, 'duration_ms' | 'memory_mb'>) =>
  (usage.memory_mb / 1024) * (usage.duration_ms / 1000)

export function costMicros(usage: MeteredUsage, price: PriceEntry): number {
  const amount =
    price.per_scan + price.per_gb_scanned * (usage.bytes / bytesPerGb) + price.per_gb_second * gbSeconds(usage)
  return Math.round(amount * micros)
}

export const amountOf = (costInMicros: number) => Math.round(costInMicros) / micros
export const money = (costInMicros: number) => ({ amount: amountOf(costInMicros), currency: currency() })
export const toMicros = (amount: number) => Math.round(amount * micros)

export type EstimateBasis = (typeof estimateBases)[number]

/**
 * The cost of scanning an input of `inputBytes` (a pack, bundle or archive), before it runs: the input
 * inflated by ESTIMATE_EXPANSION into the bytes scanned, at ESTIMATE_BYTES_PER_S plus a second of start-up.
 */
export function estimate(inputBytes: number, basis: EstimateBasis, day = new Date().toISOString().slice(0, 10)) {
  const { ESTIMATE_EXPANSION, ESTIMATE_BYTES_PER_S, AWS_LAMBDA_FUNCTION_MEMORY_SIZE } = config()
  const scanned = Math.round(inputBytes * ESTIMATE_EXPANSION)
  const usage = {
    bytes: scanned,
    duration_ms: 1000 + Math.round((scanned / ESTIMATE_BYTES_PER_S) * 1000),
    memory_mb: AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
  }
  const cost = costMicros(usage, priceOn(day))
  return { ...money(cost), micros: cost, input_bytes: inputBytes, basis }
}
export type Estimate = ReturnType<typeof estimate>

/** The estimate as the API shows it (without the internal micro-units). */
export const showEstimate = ({ micros: _, ...shown }: Estimate) => shown
