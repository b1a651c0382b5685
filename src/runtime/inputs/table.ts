/**
 * Aligned tables for the terminal (cli-table3). Colour comes only from our
 * palette, which is off when NO_COLOR is set or stdout is not a TTY.
 */
import Table from 'cli-table3';
import type { Palette } from '../reconcile/report';

/** Renders rows under a header as an aligned, borderless table. */
export function renderTable(
  head: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  p: Palette,
): string {
  const table = new Table({
    head: head.map((h) => p.bold(h)),
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 2 },
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: '',
    },
  });
  for (const row of rows) table.push([...row]);
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}
