import type { CodeRule } from '../rule.js'
export const goRules: CodeRule[] = []
