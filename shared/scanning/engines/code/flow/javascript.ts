// JavaScript and TypeScript data flow: request input to dangerous sinks within a function.
import type { FlowAnalyzer } from './analyzer.js'
import { javascriptTaint } from './javascript-taint.js'

export const javascriptAnalyzers: FlowAnalyzer[] = [javascriptTaint]
