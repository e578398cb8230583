// What a secret rule is: the shape every rule file fills in (rules.ts lists them in priority order).
import type { Severity } from '../../engine.js'

/** Where a match sits, for the checks that judge a value by its place. */
export interface MatchPlace {
  path: string
  /** The text before the secret on its line. */
  before: string
  /** Which capture group held the secret (1 for the first alternative). */
  group: number
}

export interface SecretRule {
  id: string
  title: string
  severity: Severity
  cwe: string[]
  fix: string
  /** Lowercase substrings: the regex runs only on files holding one of them (the speed of the engine). */
  keywords: string[]
  /** The secret is the first capture group that matched (alternatives may capture apart). Flags g, d are added. */
  regex: RegExp
  /** Shannon entropy (bits per character) the secret must reach; random tokens sit near 4.5–6. */
  entropy?: number
  /** Further proof a match is real (a checksum, a decodable header, a value's shape in its place). */
  check?: (secret: string, where: MatchPlace) => boolean
  /** The rule applies only to files whose whole text holds one of these (lowercase) words too. */
  fileMustContain?: string[]
  /**
   * False for long structured secrets (PEM bodies): 1,000 random base64 characters hold a word like `fake`
   * about once in a hundred keys, so the global placeholder words would drop real keys.
   */
  placeholderCheck?: false
  /**
   * A stand-in body in this rule's exact format (`sk_live_AAAA…`, `dckr_pat_Example…`) is reported as an
   * example, severity low, instead of dropped: a distinctive prefix at the format's length is written to
   * look like the real thing, and a real key is sometimes taken for an example. Masked bodies (`xxxx`,
   * `****`, `<key>`) are still dropped. Only for formats with a prefix no other text carries.
   */
  reportsStandIns?: true
  /**
   * False for a rule that knows a value only by its name (a keyword rule): when it refuses a value, that is
   * no verdict on it, and a rule that knows the value's format (secretlint's) may still report it.
   */
  vetoes?: false
  /** The value identifying the secret, when the match has presentation noise (PEM line breaks). */
  normalise?: (secret: string) => string
  allow?: {
    /** The secret is not reported when one of these matches it. */
    values?: RegExp[]
    /** ...or when it holds one of these (lowercase) words. */
    stopwords?: string[]
    /** ...or when the file path matches one of these. */
    paths?: RegExp[]
    /** ...or when the line it starts on matches one of these. */
    lines?: RegExp[]
  }
}
