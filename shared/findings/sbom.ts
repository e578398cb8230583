// The bill of materials of one scanned snapshot, CycloneDX 1.6 JSON: every package its lockfiles named
// (ecosystem, version, purl, direct or not, scope, the lockfile), and the dependency findings of that scan
// as vulnerabilities linked to their components. Written by hand from the specification: the document is
// plain JSON, and a library would weigh on the function's bundle; the tests validate it against
// CycloneDX's own 1.6 schema.
import { createHash } from 'node:crypto'
import type { Access } from '../auth/access.js'
import { findScan } from '../catalog/scans.js'
import { getFindings, occurrencesOfScan } from '../data/findings.js'
import { getInventory, type InventoryPackage } from '../data/inventories.js'
import { conflict } from '../http/errors.js'
import { Reply } from '../http/reply.js'
import type { RepositoryId, ScanId } from '../ids.js'

const toolVersion = '0.1.0'

/** Package URL types (github.com/package-url/purl-spec) of the ecosystems Vega reads. */
const purlTypes: Record<string, string> = {
  npm: 'npm',
  PyPI: 'pypi',
  Go: 'golang',
  'crates.io': 'cargo',
  RubyGems: 'gem',
  Maven: 'maven',
  NuGet: 'nuget',
  Packagist: 'composer',
}

const encode = (part: string) => encodeURIComponent(part).replace(/%2F/g, '/')

/** `pkg:type/namespace/name@version`: npm scopes, Maven groups and Packagist vendors are namespaces. */
export function purlOf({ ecosystem, name, version }: Pick<InventoryPackage, 'ecosystem' | 'name' | 'version'>) {
  const type = purlTypes[ecosystem] ?? ecosystem.toLowerCase()
  const path =
    ecosystem === 'Maven'
      ? name.split(':').map(encodeURIComponent).join('/')
      : ecosystem === 'PyPI'
        ? encodeURIComponent(name.toLowerCase().replace(/[-_.]+/g, '-'))
        : ecosystem === 'npm' && name.startsWith('@')
          ? `${encodeURIComponent(name.split('/')[0]!)}/${encodeURIComponent(name.split('/')[1] ?? '')}`
          : encode(name)
  return `pkg:${type}/${path}@${encodeURIComponent(version)}`
}

/** A stable URN for the scan's BOM: the same scan always has the same serial number. */
function serialOf(scan: ScanId): string {
  const hex = createHash('sha256').update(`vega-sbom:${scan}`).digest('hex')
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

export async function exportSbom(access: Access, repositoryId: RepositoryId, scanId: ScanId) {
  const scan = await findScan(access, repositoryId, scanId)
  if (scan.status !== 'succeeded') throw conflict(`Scan ${scan.id} is ${scan.status}: its SBOM exists once it succeeds`)
  const packages = (await getInventory(scan.id)) ?? []
  const components = new Map<string, { record: Record<string, unknown>; lockfiles: Set<string> }>()
  for (const pkg of packages) {
    const purl = purlOf(pkg)
    const known = components.get(purl)
    if (known) {
      known.lockfiles.add(pkg.path)
      continue
    }
    const [group, artifact] = pkg.ecosystem === 'Maven' ? pkg.name.split(':') : [undefined, pkg.name]
    components.set(purl, {
      lockfiles: new Set([pkg.path]),
      record: {
        type: 'library',
        'bom-ref': purl,
        ...(group ? { group } : {}),
        name: artifact ?? pkg.name,
        version: pkg.version,
        purl,
        // CycloneDX: `excluded` is for what only development and tests use.
        ...(pkg.scope ? { scope: pkg.scope === 'dev' ? 'excluded' : 'required' } : {}),
        properties: [
          { name: 'vega:ecosystem', value: pkg.ecosystem },
          ...(pkg.direct === undefined ? [] : [{ name: 'vega:direct', value: String(pkg.direct) }]),
          ...(pkg.via ? [{ name: 'vega:via', value: pkg.via }] : []),
        ],
      },
    })
  }

  const occurrences = await occurrencesOfScan(scan.id)
  const findings = (await getFindings(occurrences.map((occurrence) => occurrence.finding_id))).filter(
    (finding) => finding.engine === 'dependencies',
  )
  const vulnerabilities = findings.flatMap((finding) => {
    const { ecosystem, package: name, version } = finding.metadata
    if (typeof ecosystem !== 'string' || typeof name !== 'string' || typeof version !== 'string') return []
    const ref = purlOf({ ecosystem, name, version })
    if (!components.has(ref)) return []
    return [
      {
        'bom-ref': finding.id,
        id: finding.rule_id,
        source: { name: 'OSV', url: `https://osv.dev/vulnerability/${encodeURIComponent(finding.rule_id)}` },
        // Vega's severities are CycloneDX's own names.
        ratings: [{ severity: finding.severity, method: 'other' }],
        ...(finding.cwe.length
          ? { cwes: finding.cwe.map((cwe) => Number(cwe.replace(/^CWE-/, ''))).filter(Number.isInteger) }
          : {}),
        description: finding.title,
        recommendation: finding.fix,
        affects: [{ ref }],
        properties: [{ name: 'vega:status', value: finding.status }],
      },
    ]
  })

  const bom = {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: serialOf(scan.id),
    version: 1,
    metadata: {
      timestamp: scan.finished_at ?? scan.created_at,
      tools: { components: [{ type: 'application', name: 'vega', version: toolVersion }] },
      component: { type: 'application', 'bom-ref': scan.repository_id, name: scan.repository_id },
      properties: [{ name: 'vega:scan', value: scan.id }],
    },
    components: [...components.values()].map(({ record, lockfiles }) => ({
      ...record,
      properties: [
        ...(record.properties as unknown[]),
        ...[...lockfiles].sort().map((path) => ({ name: 'vega:lockfile', value: path })),
      ],
    })),
    vulnerabilities,
  }
  return Reply.text(`${JSON.stringify(bom)}\n`, 'application/vnd.cyclonedx+json', {
    'content-disposition': `attachment; filename="${scan.id}.cdx.json"`,
    'cache-control': 'private, no-cache',
  })
}
