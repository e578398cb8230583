// Which rules read a file, judged by its name alone. Rules come in families, one module of rules (and
// data flow) each: JavaScript's read .js, .ts and .tsx files alike. The code engine's memory of what it
// read (scanning/reuse.ts) keeps a version per family, so new Python rules forget only Python files.
export const ruleFamilies = ['javascript', 'python', 'go', 'java'] as const
export type RuleFamily = (typeof ruleFamilies)[number]

/** Lower-case file name endings, with the dot, of each language the engine parses. */
export const codeExtensions = {
  javascript: ['.js', '.mjs', '.cjs', '.jsx'],
  typescript: ['.ts', '.mts', '.cts'],
  tsx: ['.tsx'],
  python: ['.py'],
  go: ['.go'],
  java: ['.java'],
} as const

export type CodeLanguageName = keyof typeof codeExtensions

export const familyOfLanguage = {
  javascript: 'javascript',
  typescript: 'javascript',
  tsx: 'javascript',
  python: 'python',
  go: 'go',
  java: 'java',
} as const satisfies Record<CodeLanguageName, RuleFamily>

const familyByExtension = new Map<string, RuleFamily>(
  (Object.entries(codeExtensions) as [CodeLanguageName, readonly string[]][]).flatMap(([language, endings]) =>
    endings.map((ending) => [ending, familyOfLanguage[language]] as const),
  ),
)

/** The family of rules a file of this name is read by; undefined when no code rule reads such a file. */
export function ruleFamilyOf(path: string): RuleFamily | undefined {
  const lower = path.toLowerCase()
  const dot = lower.lastIndexOf('.')
  return dot < 0 ? undefined : familyByExtension.get(lower.slice(dot))
}
