// Git's own rules for a ref name (git-check-ref-format(1), as refs.c applies them to pushed refs), so a
// ref Vega accepts is one git itself could have written: `refs/heads/../../x` or `refs/heads/a.lock`
// never reaches a path, a log line or a finding.

const maxRefBytes = 1024

/** Why a full ref name (`refs/heads/main`) breaks git's rules; undefined when it is well formed. */
export function refNameProblem(ref: string): string | undefined {
  if (Buffer.byteLength(ref) > maxRefBytes) return `is longer than ${maxRefBytes} bytes`
  if (!/^refs\/[^/]/.test(ref)) return 'does not start with refs/'
  if (ref.endsWith('/') || ref.endsWith('.')) return 'ends with / or .'
  if (ref.includes('//')) return 'holds an empty component (//)'
  if (ref.includes('..')) return 'holds ..'
  if (ref.includes('@{')) return 'holds @{'
  for (let at = 0; at < ref.length; at++) {
    const code = ref.charCodeAt(at)
    if (code < 0x20 || code === 0x7f) return 'holds a control character'
  }
  if (/[ ~^:?*[\\]/.test(ref)) return 'holds one of space ~ ^ : ? * [ \\'
  for (const component of ref.split('/')) {
    if (component.startsWith('.')) return 'has a component that starts with .'
    if (component.endsWith('.lock')) return 'has a component that ends with .lock'
  }
  return undefined
}
