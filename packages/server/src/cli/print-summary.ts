import type { ApplySummary } from '../config/apply-config.js';
import { printLine } from './output.js';

/** `Created 7, updated 1, unchanged 3.` and one line per change. */
export function printApplySummary(summary: ApplySummary, options: { dryRun?: boolean } = {}): void {
  const verb = options.dryRun ? 'Would create' : 'Created';
  const changed = summary.created.length + summary.updated.length;
  for (const item of summary.created) printLine(`  + ${item}`);
  for (const item of summary.updated) printLine(`  ~ ${item}`);
  const counts = `${verb} ${summary.created.length}, ${options.dryRun ? 'would update' : 'updated'} ${summary.updated.length}, unchanged ${summary.unchanged}.`;
  printLine(changed === 0 ? `Configuration is up to date (${summary.unchanged} items unchanged).` : counts);
  if (options.dryRun) printLine('Dry run: nothing was written.');
}
