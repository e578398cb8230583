// Python data flow: request input to dangerous sinks within a function (flow/python-taint.ts).
import type { FlowAnalyzer } from './analyzer.js'
import { analyzePython } from './python-taint.js'

export const pythonAnalyzers: FlowAnalyzer[] = [
  {
    name: 'python-taint',
    languages: ['python'],
    // Files that read request input (Flask, Django, FastAPI), the command line or the console. The rule
    // matches the module once, so a file with many reads costs one match, not one per read.
    trigger: {
      kind: 'module',
      has: {
        stopBy: 'end',
        any: [
          { kind: 'attribute', regex: '^(?:flask\\.)?request\\.\\w+' },
          { kind: 'attribute', regex: '^sys\\.argv$' },
          { kind: 'identifier', regex: '^request$', inside: { kind: 'argument_list' } },
          { kind: 'call', regex: '^input\\(' },
        ],
      },
    },
    analyze: (root, path) => analyzePython(root.root(), path, root.root().text()),
  },
]
