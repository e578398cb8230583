// Repositories and their timelines.
import { eventRecord } from '../../data/events.js'
import { repositoryRecord } from '../../data/repositories.js'
import { ProjectId } from '../../ids.js'
import * as z from '../../zod.js'
import { withMeta } from '../../zod.js'
import { DeprecatedAt, Description, Name } from './common.js'
import { Timestamp } from './timestamp.js'

export const Repository = withMeta(
  z.extend(
    z.pick(repositoryRecord, {
      id: true,
      project_id: true,
      workspace_id: true,
      name: true,
      default_branch: true,
      description: true,
      last_scan_id: true,
    }),
    { created_at: Timestamp, updated_at: Timestamp },
  ),
  { id: 'Repository' },
)
const branch = z.string().check(z.minLength(1), z.maxLength(255), z.regex(/^[^\s~^:?*[\\]+$/))
export const CreateRepository = z.strictObject({
  project_id: ProjectId,
  name: Name,
  default_branch: z.optional(branch),
  description: z.optional(Description),
})
export const UpdateRepository = z.strictObject({
  name: z.optional(Name),
  default_branch: z.optional(branch),
  description: z.optional(Description),
})
export const Event = withMeta(
  z.extend(z.pick(eventRecord, { id: true, repository_id: true, actor: true, data: true }), {
    // The type stays an open string on the wire: new kinds of event must not break a client's parser.
    type: z.string(),
    created_at: Timestamp,
    at: DeprecatedAt,
  }),
  { id: 'Event' },
)
