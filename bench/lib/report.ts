/** What a benchmark target reports, and how the runner prints it. */

/** The outcome of one target. */
export interface TargetResult {
  /** Short id, e.g. `1a`. */
  readonly id: string;
  /** What is measured, e.g. `synth 1000 inputs vs 10 inputs`. */
  readonly name: string;
  /** The measurement, e.g. `5.10 s vs 2.05 s`. */
  readonly measured: string;
  /** The target, e.g. `<= 2 x 10-input + 1 s = 5.10 s`. */
  readonly target: string;
  readonly pass: boolean;
  /** Further lines: samples, side-by-side ratios, profile findings. */
  readonly details?: readonly string[];
}

/** One line per target, as printed while the benchmarks run. */
export function targetLine(r: TargetResult): string {
  return `[${r.id}] ${r.name}: ${r.measured} | target ${r.target} | ${r.pass ? 'PASS' : 'FAIL'}`;
}

/** The final table (plain text: no colour, stable in logs). */
export function finalTable(results: readonly TargetResult[]): string {
  const header = ['id', 'target', 'measured', 'goal', 'result'];
  const rows = results.map((r) => [r.id, r.name, r.measured, r.target, r.pass ? 'PASS' : 'FAIL']);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}
