import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { expectNoPassword } from '../support/expect.js';
import { EXAMPLE, SUPERVISOR, requirePrerequisites } from '../support/paths.js';
import { perTest } from '../support/per-test.js';
import { FAILING_REVISION, HEAD } from '../support/project.js';
import { runSupervisor, supervisorEnv } from '../support/supervisor.js';

const db = perTest();
const ESC = '\u001b[';

/**
 * Runs the supervisor on a pseudo-terminal (util-linux `script`, installed with unshare), as an
 * operator at a shell would; stdout and stderr both reach the terminal.
 */
async function onTerminal(args: string[], env: Record<string, string>): Promise<{ exitCode: number; output: string }> {
  requirePrerequisites();
  const command = [process.execPath, SUPERVISOR, ...args].map((part) => `'${part}'`).join(' ');
  const result = await execa('script', ['--quiet', '--return', '--command', command, '/dev/null'], {
    env: supervisorEnv({ TERM: 'xterm-256color', ...env }),
    extendEnv: false,
    cwd: EXAMPLE,
    reject: false,
    stdin: 'ignore',
    timeout: 60_000,
  });
  if (result.failed && result.exitCode === undefined) throw new Error(`could not run util-linux \`script\` (apt-get install bsdutils): ${String(result.stderr)}`);
  return { exitCode: result.exitCode ?? -1, output: String(result.stdout).replace(/\r\n/g, '\n') };
}

describe('LOG_FORMAT=pretty', () => {
  it('piped: no colour, one level prefix on alembic lines, the traceback once', async () => {
    const alembicConfig = await db.projectWith([FAILING_REVISION]);
    const run = await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url, ALEMBIC_CONFIG: alembicConfig, LOG_FORMAT: 'pretty' } });
    expectNoPassword(run);
    expect(run.exitCode).toBe(70);
    expect(run.stdout).not.toContain(ESC);
    const lines = run.stdout.split('\n');
    // alembic's "INFO  [alembic.runtime.migration] ..." comes out with its level once, not after ours.
    expect(lines).toContain(`${lines.find((line) => line.includes('Running upgrade  -> '))?.slice(0, 12)} INFO  [alembic.runtime.migration] Running upgrade  -> 3f1c9a2b7d01, create users and items tables`);
    expect(lines.filter((line) => /\b(INFO|WARN|ERROR)\b.*\b(INFO|WARNI|ERROR)\s+\[alembic/.test(line))).toEqual([]);
    // Alembic printed one (chained) traceback: it appears once, its two headers and one final exception line.
    expect(lines.filter((line) => line.includes('Traceback (most recent call last):'))).toEqual(['  | Traceback (most recent call last):', '  | Traceback (most recent call last):']);
    // The held-back traceback comes as one event: its head line says alembic failed, its lines follow under a gutter.
    expect(lines.filter((line) => line.includes(' ERROR [alembic] alembic failed: sqlalchemy.exc.DataError'))).toHaveLength(1);
    expect(lines.filter((line) => line.includes('division by zero') && !line.includes('[revision]') && !line.includes('[exit]') && !line.includes('[alembic]'))).toEqual([
      '  | psycopg2.errors.DivisionByZero: division by zero',
      '  | sqlalchemy.exc.DataError: (psycopg2.errors.DivisionByZero) division by zero',
    ]);
    const exit = lines.find((line) => line.includes(' ERROR [exit] '));
    expect(exit).toMatch(/ERROR \[exit\] alembic .* upgrade head exited with code 1 in revision f00000000bad \(upgrade e9d05b3a2c04 -> f00000000bad\): sqlalchemy\.exc\.DataError/);
    expect(exit).not.toContain('Traceback');
    expect(exit).not.toContain('output=');
  });

  it('on a terminal: colour', async () => {
    const { exitCode, output } = await onTerminal(['wait'], { DATABASE_URL: db.url, LOG_FORMAT: 'pretty' });
    expect(exitCode).toBe(0);
    expect(output).toMatch(/\u001b\[32mINFO \u001b\[39m \u001b\[36m\[wait\]\u001b\[39m the database is available/);
  });

  it('on a terminal with NO_COLOR: no colour', async () => {
    const { exitCode, output } = await onTerminal(['wait'], { DATABASE_URL: db.url, LOG_FORMAT: 'pretty', NO_COLOR: '1' });
    expect(exitCode).toBe(0);
    expect(output).toMatch(/ INFO  \[wait\] the database is available/);
    expect(output).not.toContain(ESC);
  });
});

describe('status on a terminal', () => {
  it('answers in text even with JSON logs', async () => {
    const { exitCode, output } = await onTerminal(['status'], { DATABASE_URL: db.url });
    expect(exitCode).toBe(1);
    expect(output).toContain('the database is empty; plan: alembic upgrade head (exit 1)\ncurrent: (no revision)\n');
    expect(output).toContain(`target:  ${HEAD}\npending: 4 revisions, oldest first\n`);
  });
});
