// The shape of Vega's one DynamoDB table, as plain data. The local bootstrap and the CDK stack both
// build the table from this description, so the two can never disagree on a key or an index.
export const table = {
  /** Logical name; the deployed name comes from configuration (TABLE_NAME). */
  id: 'state',
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB deletes expired items lazily (within days), so reads also filter on it. */
  ttlAttribute: 'expires_at_epoch',
  indexes: [
    // gsi1: lookups by an alternate key (an email, a key hash) and "the other side" of a relation.
    { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    // gsi2: time-ordered lists across a parent (scans of a project, usage and findings of a workspace).
    { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    // gsi3: sparse, oldest first: scans still queued or running (what the cleanup sweeps), and a
    // workspace's open critical findings (the overview's oldest one).
    { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  ],
} as const

export type TableDefinition = typeof table
