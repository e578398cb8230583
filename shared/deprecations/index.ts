// What is deprecated and when it goes (the deprecation-info idea of seeds/vehaas-api.txt). The sessions
// group answers with Deprecation, Sunset and Link headers built from the same entry.
import { sessionRoutes } from '../routes/sessions.js'

export const legacySessions = {
  feature: 'sessions',
  routes: Object.values(sessionRoutes).map((spec) => `${spec.method} ${spec.path}`),
  deprecated_at: '2026-11-01T00:00:00.000Z',
  sunset_at: '2027-06-30T00:00:00.000Z',
  replacement: 'POST /v1/git-uploads, then git push (or upload a git bundle)',
  link: '/v1/docs#/git-uploads',
}

/** A field, not a route: the routes answer on, with the field renamed beside it (no headers for this one). */
export const atFields = {
  feature: 'the `at` field of timeline events and usage lines',
  routes: ['GET /v1/repositories/{id}/events', 'GET /v1/billing/usage'],
  deprecated_at: '2026-12-05T00:00:00.000Z',
  sunset_at: '2027-06-30T00:00:00.000Z',
  replacement: '`created_at`, the name every other record gives its time (answered beside `at` until the sunset)',
  link: '/v1/docs#/billing',
}

export const deprecations = [legacySessions, atFields]

/** RFC 9745 Deprecation (a structured date), RFC 8594 Sunset (an HTTP date), and a Link to the successor. */
export function deprecationHeaders(entry = legacySessions): Record<string, string> {
  return {
    deprecation: `@${Math.floor(Date.parse(entry.deprecated_at) / 1000)}`,
    sunset: new Date(entry.sunset_at).toUTCString(),
    link: `<${entry.link}>; rel="successor-version"`,
  }
}
