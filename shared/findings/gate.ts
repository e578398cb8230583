// Which policy applies to a scan (the project's, else the workspace's, else Vega's default), the gate a
// finished scan carries, and the policy routes.
import { type Access, eventActor } from '../auth/access.js'
import { findProject } from '../catalog/projects.js'
import { getFindings } from '../data/findings.js'
import type { Policy } from '../data/policies.js'
import { getPolicy, putPolicy } from '../data/policies.js'
import { findingIdsOfScan } from '../data/scan-findings.js'
import type { GateResult } from '../data/scans.js'
import { getScan, listScansOfRepository, type ScanRecord } from '../data/scans.js'
import { type ProjectId, ScanId, type WorkspaceId } from '../ids.js'
import { defaultPolicy, evaluateGate } from './policy.js'

export async function policyFor(workspace: WorkspaceId, project?: ProjectId) {
  const own = project ? await getPolicy(project) : undefined
  if (own) return { ...own, source: 'project' as const }
  const inherited = await getPolicy(workspace)
  if (inherited) return { ...inherited, source: 'workspace' as const }
  return { ...defaultPolicy, source: 'default' as const }
}

/**
 * What "new" is measured against: the scan the push named, the latest successful scan of a push to the
 * branch it named, or else the repository's latest successful scan before this one.
 */
async function baselineOf(scan: ScanRecord): Promise<ScanRecord | undefined> {
  if (scan.baseline && isScanId(scan.baseline)) {
    const named = await getScan(scan.baseline)
    return named?.repository_id === scan.repository_id && named.status === 'succeeded' ? named : undefined
  }
  const recent = await listScansOfRepository(scan.repository_id, { limit: 50 }, 'succeeded')
  const before = recent.items.filter((candidate) => candidate.id < scan.id)
  if (!scan.baseline) return before[0]
  const ref = `refs/heads/${scan.baseline}`
  return before.find((candidate) => candidate.input.refs?.some((pushed) => pushed.ref === ref))
}

const isScanId = (value: string) => ScanId.safeParse(value).success

export async function gateOf(scan: ScanRecord): Promise<GateResult> {
  // Three independent reads at once: the policy, what the scan saw, and what its baseline saw.
  const [{ source, ...policy }, seen, baseline] = await Promise.all([
    policyFor(scan.workspace_id, scan.project_id),
    findingIdsOfScan(scan.id).then((ids) => getFindings(ids)),
    baselineOf(scan).then(async (baseline) => ({
      scanId: baseline?.id ?? null,
      findingIds: new Set<string>(baseline ? await findingIdsOfScan(baseline.id) : []),
    })),
  ])
  return evaluateGate(policy, source, seen, baseline)
}

export const getWorkspacePolicy = (workspace: WorkspaceId) => policyFor(workspace)

export async function setWorkspacePolicy(access: Access, workspace: WorkspaceId, policy: Policy) {
  await putPolicy(workspace, policy, eventActor(access.actor).id ?? 'unknown')
  return { ...policy, source: 'workspace' as const }
}

export async function getProjectPolicy(access: Access, id: ProjectId) {
  const project = await findProject(access, id)
  return policyFor(project.workspace_id, project.id)
}

export async function setProjectPolicy(access: Access, id: ProjectId, policy: Policy) {
  const project = await findProject(access, id)
  await putPolicy(project.id, policy, eventActor(access.actor).id ?? 'unknown')
  return { ...policy, source: 'project' as const }
}
