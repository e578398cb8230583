import { type Handlers, lambda, notBuilt } from '../../shared/http/lambda.js'
import { billingRoutes } from '../../shared/routes/index.js'

// TODO(#9): every route of this group answers 501 not_implemented until its issue lands.
export const handler = lambda(billingRoutes, {
  getBillingSummary: notBuilt,
  listBillingUsage: notBuilt,
} satisfies Handlers<typeof billingRoutes>)
