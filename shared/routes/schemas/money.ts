// Money and cost estimates on the wire: what git uploads, scans and the billing summary answer.
import * as z from '../../zod.js'
import { withMeta } from '../../zod.js'

export const Money = withMeta(z.object({ amount: z.number(), currency: z.string().check(z.length(3)) }), {
  id: 'Money',
})
export const CostEstimate = withMeta(
  z.extend(Money, {
    input_bytes: withMeta(z.number(), { description: 'The size the estimate assumed' }),
    basis: withMeta(z.enum(['upload', 'previous_upload', 'minimum']), {
      description: "upload: this upload's size; previous_upload: the repository's last; minimum: nothing known yet",
    }),
  }),
  { id: 'CostEstimate' },
)
