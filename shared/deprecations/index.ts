// What is deprecated and when it goes (the deprecation-info idea of seeds/vehaas-api.txt). The sessions
// group answers with Deprecation, Sunset and Link headers built from the same entry.
import { routeTable } from '../routes/index.js'

export const legacySessions = {
  feature: 'sessions',
  routes: Object.values(routeTable)
    .filter((spec) => spec.group === 'sessions')
    .map((spec) => `${spec.method} ${spec.path}`),
  deprecated_at: '2026-11-01T00:00:00.000Z',
  sunset_at: '2027-06-30T00:00:00.000Z',
  replacement: 'POST /v1/git-uploads, then git push (or upload a git bundle)',
  link: '/v1/docs#/git-uploads',
}

export const deprecations = [legacySessions]

/** RFC 9745 Deprecation (a structured date), RFC 8594 Sunset (an HTTP date), and a Link to the successor. */
export function deprecationHeaders(entry = legacySessions): Record<string, string> {
  return {
    deprecation: `@${Math.floor(Date.parse(entry.deprecated_at) / 1000)}`,
    sunset: new Date(entry.sunset_at).toUTCString(),
    link: `<${entry.link}>; rel="successor-version"`,
  }
}
