// SARIF 2.1.0 logs as another tool writes them, for the tests that import them: one run of a driver and
// its results, each at a file.

/** A log of one run of `tool`, declaring these rules, with these results. */
export function toolLog(tool: string, rules: Record<string, unknown>[], results: Record<string, unknown>[]) {
  return { version: '2.1.0', runs: [{ tool: { driver: { name: tool, rules } }, results }] }
}

/** A result of `ruleId` at `uri`, with its message text, a region if given, and any other result fields. */
export function toolResult(
  ruleId: string,
  uri: string,
  { text = 'm', region, ...fields }: { text?: string; region?: Record<string, unknown>; [field: string]: unknown } = {},
) {
  const physicalLocation = region ? { artifactLocation: { uri }, region } : { artifactLocation: { uri } }
  return { ruleId, ...fields, message: { text }, locations: [{ physicalLocation }] }
}
