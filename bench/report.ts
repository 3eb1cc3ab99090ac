// bench/results.md and its plot bench/results.svg: every target next to what was measured.
import type { Check, Section } from './scenarios.js';

export interface Report {
  started: Date;
  seconds: number;
  machine: string[];
  checks: Check[];
  sections: Section[];
}

export const passes = (check: Check) => check.measured <= check.target;
/** The floor of the stack, measured in the same run, is above the target: no start on Node and pg meets it. */
export const belowFloor = (check: Check) => check.floor !== undefined && check.floor > check.target;

export function formatValue(value: number, unit: Check['unit']): string {
  switch (unit) {
    case 'x':
      return `x${value.toFixed(2)}`;
    case 'MiB':
      return `${value.toFixed(1)} MiB`;
    case 'ms':
      return `${value.toFixed(0)} ms`;
    case 'failures':
      return String(value);
  }
}

const table = (header: string[], rows: string[][]) =>
  [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');

export function markdown(report: Report): string {
  const failed = report.checks.filter((check) => !passes(check)).length;
  return `# Benchmark results

Written by \`npm run bench\` (bench/bench.ts) on ${report.started.toISOString()}, in ${report.seconds.toFixed(0)} s. Every ratio
compares commands measured in this same run, interleaved round by round, as the median of the
round-by-round ratios. Targets are checked on wall time (what a container start costs); the ratio of
CPU time (the command's own user + system time, its children included) is shown beside it, as it
moves less on a busy machine. Absolute times depend on the machine and its load.

The floor is the same ratio for the least program on the supervisor's stack that does the
measured job's unavoidable part (\`node\` spawning the app; \`bench/floor.ts\`: Node and pg
connecting, reading the version, spawning), measured in the same run. Where the floor itself is
above the target, no supervisor built on Node and pg can meet it: the row says so.

${report.machine.map((line) => `- ${line}`).join('\n')}

## Targets (issue 11): ${report.checks.length - failed} of ${report.checks.length} met

![Each target's measured value divided by the target: a bar left of the line meets it](results.svg)

${table(
  ['measure', 'measured', 'target', '', 'floor of the stack', 'CPU-time ratio (cross-check)'],
  report.checks.map((check) => [
    check.label,
    formatValue(check.measured, check.unit),
    `<= ${formatValue(check.target, check.unit)}`,
    passes(check) ? 'pass' : belowFloor(check) ? '**FAIL** (the floor is above the target)' : '**FAIL**',
    check.floor === undefined ? '' : formatValue(check.floor, check.unit),
    check.cpu === undefined ? '' : formatValue(check.cpu, 'x'),
  ]),
)}

${report.sections.map((section) => `## ${section.title}\n\n${section.note}\n\n${table(section.header, section.rows)}`).join('\n\n')}
`;
}

/** A diamond where the floor of the stack sits on a row: a target left of it cannot be met. */
const floorMark = (cx: number, y: number) => `<path d="M${cx.toFixed(1)} ${y + 2} l6 9 l-6 9 l-6 -9 z" fill="#000" stroke="#fff" stroke-width="1.5"/>`;

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A horizontal bar per target, its length the measured value divided by the target, so every
 * target sits on one line at 1: a green bar short of it passes, a red bar across it fails.
 */
export function svg(report: Report): string {
  const checks = report.checks.filter((check) => check.target > 0);
  const labelWidth = 440;
  const barLeft = labelWidth + 10;
  const barWidth = 420;
  const valueLeft = barLeft + barWidth + 12;
  const width = valueLeft + 190;
  const rowHeight = 30;
  const top = 64;
  const unplotted = report.checks.filter((check) => check.target <= 0);
  const height = top + checks.length * rowHeight + 46 + unplotted.length * 20;
  const limit = 3;
  const x = (fraction: number) => barLeft + (Math.min(fraction, limit) / limit) * barWidth;
  const passed = report.checks.filter(passes).length;
  const notes = unplotted.map((check, index) => {
    const ok = passes(check);
    return `<text x="12" y="${top + checks.length * rowHeight + 44 + index * 20}"><tspan fill="${ok ? '#2e7d32' : '#c62828'}" font-weight="bold">${ok ? 'pass' : 'FAIL'}</tspan> ${escape(check.label)}: ${escape(formatValue(check.measured, check.unit))} (target ${escape(formatValue(check.target, check.unit))})</text>`;
  });

  const rows = checks.map((check, index) => {
    const y = top + index * rowHeight;
    const fraction = check.measured / check.target;
    const ok = passes(check);
    const colour = ok ? '#2e7d32' : '#c62828';
    const clipped = fraction > limit;
    return [
      `<text x="${labelWidth}" y="${y + 16}" text-anchor="end">${escape(check.label)}</text>`,
      `<rect x="${barLeft}" y="${y + 3}" width="${(x(fraction) - barLeft).toFixed(1)}" height="${rowHeight - 14}" fill="${colour}"/>`,
      check.floor === undefined ? '' : floorMark(x(check.floor / check.target), y),
      clipped ? `<text x="${barLeft + barWidth - 4}" y="${y + 16}" text-anchor="end" fill="#fff" font-weight="bold">off the scale &#9654;</text>` : '',
      `<text x="${valueLeft}" y="${y + 16}" fill="${colour}" font-weight="bold">${ok ? 'pass' : 'FAIL'}</text>`,
      `<text x="${valueLeft + 42}" y="${y + 16}">${escape(formatValue(check.measured, check.unit))} (&#8804; ${escape(formatValue(check.target, check.unit))})</text>`,
    ].join('');
  });
  const stripes = checks.map((_, index) => (index % 2 ? '' : `<rect x="0" y="${top + index * rowHeight - 4}" width="${width}" height="${rowHeight}" fill="#f2f2f2"/>`));
  const ticks = [0, 0.5, 1, 1.5, 2, 2.5, 3].map((tick) => {
    const tx = x(tick);
    const bottom = top + checks.length * rowHeight;
    return `<line x1="${tx}" y1="${top - 6}" x2="${tx}" y2="${bottom}" stroke="${tick === 1 ? '#000' : '#ccc'}" stroke-width="${tick === 1 ? 2 : 1}"${tick === 1 ? ' stroke-dasharray="6 3"' : ''}/><text x="${tx}" y="${bottom + 18}" text-anchor="middle" fill="#555">${tick === 1 ? 'target' : `${tick}x`}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="13">
<rect width="${width}" height="${height}" fill="#fff"/>
<text x="12" y="24" font-size="16" font-weight="bold">backend-supervisor against its targets: ${passed} of ${report.checks.length} met</text>
<text x="12" y="44" fill="#555">bar = measured / target; left of the dashed line meets the target; &#9670; = the floor of the stack (Node and pg), same run (${escape(report.started.toISOString().slice(0, 16).replace('T', ' '))} UTC)</text>
${stripes.join('')}
${ticks.join('\n')}
${rows.join('\n')}
${notes.join('\n')}
</svg>
`;
}
