import type { BenchContext } from '../lib/context.js';
import type { SectionResult } from '../lib/report.js';
export async function endpointSection(_ctx: BenchContext): Promise<SectionResult> {
  return { title: '4. Endpoint', table: [], targets: [], notes: ['TODO'], data: null };
}
