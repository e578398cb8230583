import type { CodeRule } from '../rule.js'
export const javaRules: CodeRule[] = []
