// Projects and their rollups.
import { projectRecord } from '../../data/projects.js'
import { ProjectId, RepositoryId, ScanId, WorkspaceId } from '../../ids.js'
import * as z from '../../zod.js'
import { withMeta } from '../../zod.js'
import { Description, Name, SeverityCounts } from './common.js'
import { Timestamp } from './timestamp.js'

export const Project = withMeta(
  z.extend(z.omit(projectRecord, { deleting_at: true }), { created_at: Timestamp, updated_at: Timestamp }),
  { id: 'Project' },
)
export const CreateProject = z.strictObject({
  name: Name,
  description: z.optional(Description),
  workspace_id: z.optional(WorkspaceId),
})
export const UpdateProject = z.strictObject({ name: z.optional(Name), description: z.optional(Description) })
export const ReplaceProject = z.strictObject({ name: Name, description: z._default(Description, '') })
export const Rollup = withMeta(
  z.object({
    project_id: ProjectId,
    repositories: z.array(
      z.object({
        repository_id: RepositoryId,
        name: z.string(),
        last_scan: z.nullable(z.object({ id: ScanId, status: z.string(), finished_at: z.nullable(Timestamp) })),
        open_findings: SeverityCounts,
      }),
    ),
    totals: z.object({ repositories: z.number(), open_findings: SeverityCounts }),
  }),
  { id: 'Rollup' },
)
