// Python data flow: request input to dangerous sinks within a function (flow/python-taint.ts).
import type { FlowAnalyzer } from './analyzer.js'
import { analyzePython } from './python-taint.js'

export const pythonAnalyzers: FlowAnalyzer[] = [
  {
    name: 'python-taint',
    languages: ['python'],
    // Files that read request input (Flask, Django, FastAPI), the command line or the console.
    trigger: {
      any: [
        { kind: 'attribute', regex: '^(?:flask\\.)?request\\.\\w+' },
        { kind: 'attribute', regex: '^sys\\.argv$' },
        { kind: 'call', regex: '^input\\(' },
      ],
    },
    analyze: (root, path) => analyzePython(root.root(), path, root.root().text()),
  },
]
