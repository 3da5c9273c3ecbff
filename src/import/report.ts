import type { ImportReport } from './run.ts';

/* The import report as the CLI prints it: what was (or would be) done, what did not map, the checks. */

const iso = (t: number) => new Date(t * 1000).toISOString().replace(':00.000Z', 'Z');

export function formatReport(report: ImportReport): string {
  const lines: string[] = [];
  const verb = report.mode === 'plan' ? 'Plan' : 'Import';
  lines.push(`${verb} from ${report.source} (${report.stages.join(', ') || 'no stage completed'})`);
  for (const item of report.items) {
    lines.push(
      `  ${item.action.padEnd(9)} ${item.kind} ${item.name}${item.vigil_id !== undefined && Number(item.vigil_id) > 0 ? ` [${item.vigil_id}]` : ''} — ${item.reason}`,
    );
    if (item.push_url) lines.push(`            push URL: ${item.push_url}`);
    for (const note of item.notes) lines.push(`            note: ${note}`);
  }
  if (report.skipped.length > 0) {
    lines.push('Not imported:');
    for (const s of report.skipped) lines.push(`  ${s.kind} ${s.name} (${s.source_id}): ${s.reason}`);
  }
  if (report.checks.length > 0) {
    lines.push('On-call check (the source’s own final schedule against Vigil’s, at every hand-off):');
    for (const c of report.checks) {
      lines.push(
        `  ${c.name}: ${c.handoffs} hand-offs from ${iso(c.window.start)} to ${iso(c.window.end)}, ${c.differences.length} difference(s)${c.checked === 'planned' ? ' (as planned)' : ''}`,
      );
      for (const d of c.differences.slice(0, 20)) {
        lines.push(
          `    ${iso(d.at)}–${iso(d.until)}: source [${d.source.join(', ')}], Vigil [${d.vigil.join(', ')}]`,
        );
      }
    }
  }
  const counts = new Map<string, number>();
  for (const item of report.items) counts.set(item.action, (counts.get(item.action) ?? 0) + 1);
  lines.push(
    `Summary: ${[...counts].map(([action, n]) => `${n} ${action}`).join(', ') || 'nothing'}; ${report.skipped.length} not imported; ${report.source_calls} source call(s)${report.throttled ? `, slowed down ${report.throttled} time(s) by the source` : ''}.`,
  );
  if (report.error) {
    lines.push(
      `Stopped in ${report.error.stage}: ${report.error.message}. Nothing of that stage was written; run again to go on from there.`,
    );
  }
  return `${lines.join('\n')}\n`;
}
