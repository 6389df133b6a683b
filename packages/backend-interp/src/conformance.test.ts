/** The backend-independent Cpu conformance suite of @hvlab/core, run against this backend. */
import { defineCpuConformance } from '@hvlab/core/conformance';
import { createInterpCpu } from './index.js';

defineCpuConformance('backend-interp', createInterpCpu);
