// The security overview (#19): a workspace's findings in one list, and its figures for dashboards.
import { route } from './route.js'
import { page } from './schemas/common.js'
import { Finding, WorkspaceFindingQuery } from './schemas/findings.js'
import { Overview, OverviewQuery } from './schemas/overview.js'

export const overviewRoutes = {
  listWorkspaceFindings: route({
    group: 'overview',
    method: 'GET',
    path: '/v1/findings',
    summary: "Findings across the caller's workspace, with the repository list's filters and project and repository",
    description:
      "In the order first seen, oldest first; with `repository`, in that repository's own order (as `GET /v1/repositories/{id}/findings`). `new_since` is a key range, the other filters are applied while reading: a filtered page may hold fewer than `limit` items while `next_cursor` is not null. An unknown or foreign project or repository is 404.",
    auth: 'user',
    role: 'viewer',
    query: WorkspaceFindingQuery,
    ok: page(Finding),
  }),
  getOverview: route({
    group: 'overview',
    method: 'GET',
    path: '/v1/overview',
    summary:
      'Open findings by severity per project and repository, new and fixed in the last 7 and 30 days, mean time to fix, the oldest open critical, scans and gate failures per day; CSV on Accept: text/csv',
    description:
      'Read from counters the scan pipeline keeps, never from the findings (docs/integrations.md, "Security overview"). Answers carry an ETag and `Cache-Control: private, no-cache`; send If-None-Match for a 304.',
    auth: 'user',
    role: 'viewer',
    query: OverviewQuery,
    ok: Overview,
    csv: true,
    validators: true,
  }),
} as const
