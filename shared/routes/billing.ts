// What scans cost: the summary and the line items.

import { route } from './route.js'
import { BillingQuery, BillingSummary, UsageLine, UsageQuery } from './schemas/billing.js'
import { page } from './schemas/common.js'
import { billingAccess } from './shared.js'

export const billingRoutes = {
  getBillingSummary: route({
    group: 'billing',
    method: 'GET',
    path: '/v1/billing/summary',
    summary: 'Totals and groups (day, project, repository) with cost; CSV on Accept: text/csv',
    description: `Read from daily and monthly aggregates, never from the line items. Answers carry an ETag and Cache-Control; send If-None-Match for a 304. ${billingAccess}`,
    auth: 'user',
    scope: 'billing',
    scopeGrants: true,
    role: 'admin',
    query: BillingQuery,
    ok: BillingSummary,
    csv: true,
    validators: true,
  }),
  listBillingUsage: route({
    group: 'billing',
    method: 'GET',
    path: '/v1/billing/usage',
    summary: 'Usage line items, one per billed scan, newest first; CSV on Accept: text/csv',
    description: billingAccess,
    auth: 'user',
    scope: 'billing',
    scopeGrants: true,
    role: 'admin',
    query: UsageQuery,
    ok: page(UsageLine),
    csv: true,
  }),
} as const
