// Python data flow: request input to dangerous sinks within a function.
import type { FlowAnalyzer } from './analyzer.js'

export const pythonAnalyzers: FlowAnalyzer[] = []
