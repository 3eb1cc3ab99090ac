import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { alembicLines, eventsNamed, finalError } from '../support/expect.js';
import { VENV_BIN } from '../support/paths.js';
import { perTest } from '../support/per-test.js';
import { tablesOf, versionsOf } from '../support/postgres.js';
import { HEAD, REVISIONS, type ExtraRevision } from '../support/project.js';
import { runSupervisor, type LogEvent, type SupervisorRun } from '../support/supervisor.js';

const db = perTest();
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

// A revision the fast path cannot read (its down_revision is computed): the scripts then come from
// `alembic history`, a Python start of their own, which the ALEMBIC_COMMAND below makes slower still.
const COMPUTED: ExtraRevision = {
  id: 'c0c0c0c0c0c0',
  parent: HEAD,
  upgrade: ['op.create_table("computed", sa.Column("id", sa.Integer, primary_key=True))'],
  identifiers: `PARENT = "${HEAD}"\nrevision = "c0c0c0c0c0c0"\ndown_revision = PARENT`,
};
const SECOND_HEAD: ExtraRevision = { id: 'b1a2c3d4e5f6', parent: REVISIONS[2], upgrade: ['op.create_table("second_head", sa.Column("id", sa.Integer, primary_key=True))'] };

/**
 * An alembic whose `history` (how the scripts are read here) or whose `upgrade` starts `seconds`
 * late; stopped meanwhile, it takes its sleep with it (which would hold alembic's pipes open).
 */
async function slowAlembic(command: 'history' | 'upgrade', seconds: number): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bs-slow-alembic-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const script = path.join(dir, 'alembic');
  await writeFile(script, `#!/bin/sh\ncase " $* " in *" ${command} "*) trap 'kill $! 2>/dev/null; exit 143' TERM; sleep ${seconds} & wait $! ;; esac\nexec ${path.join(VENV_BIN, 'alembic')} "$@"\n`);
  await chmod(script, 0o755);
  return script;
}

const indexOf = (run: SupervisorRun, found: (entry: LogEvent) => boolean) => run.events.findIndex(found);
const scriptsRead = (entry: LogEvent) => entry.event === 'scripts' && entry.durationMs !== undefined;

// Python takes longer to start than a long history takes to read: on an empty database, whose plan
// is an upgrade whatever the scripts hold, alembic starts without waiting for them.
describe('an empty database is migrated while the scripts are still being read', () => {
  it('alembic starts before the scripts are read; its revisions are still told apart and timed by them', async () => {
    const alembicConfig = await db.projectWith([COMPUTED]);
    const run = await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url, ALEMBIC_CONFIG: alembicConfig, ALEMBIC_COMMAND: await slowAlembic('history', 2) } });
    expect(run.exitCode).toBe(0);
    expect(await versionsOf(db.url)).toEqual([COMPUTED.id]);
    const inspected = eventsNamed(run, 'inspect').filter((entry) => entry.durationMs !== undefined);
    expect(inspected.map((entry) => entry.msg)).toEqual(Array(2).fill('the database is empty; plan: alembic upgrade head (the scripts are still being read)'));
    const upgradeStarted = indexOf(run, (entry) => entry.event === 'alembic' && /Running upgrade/.test(entry.msg));
    expect(upgradeStarted).toBeGreaterThan(-1);
    expect(upgradeStarted).toBeLessThan(indexOf(run, scriptsRead));
    // The lines arrived before the revision ids were known: each revision is still named exactly.
    const revisions = eventsNamed(run, 'revision');
    expect(revisions.map((entry) => [entry.revision, entry.from, entry.message])).toEqual([
      [REVISIONS[0], [], 'create users and items tables'],
      [REVISIONS[1], [REVISIONS[0]], 'add items.description'],
      [REVISIONS[2], [REVISIONS[1]], 'index items.name'],
      [REVISIONS[3], [REVISIONS[2]], 'seed a user and two items (data migration)'],
      [COMPUTED.id, [REVISIONS[3]], `test revision ${COMPUTED.id}`],
    ]);
    for (const entry of revisions) expect(entry.durationMs).toEqual(expect.any(Number));
    expect(eventsNamed(run, 'verify')[0]?.heads).toEqual([COMPUTED.id]);
  });

  const severalHeads = `the migration scripts have several heads (${[SECOND_HEAD.id, COMPUTED.id].sort().join(', ')}); merge them with 'alembic merge heads' and rebuild the image, or set MIGRATION_TARGET=heads if the project keeps several heads on purpose`;

  it('several heads, read while alembic still starts: alembic is stopped, the refusal is reported (65), nothing changed', async () => {
    const alembicConfig = await db.projectWith([COMPUTED, SECOND_HEAD]);
    const command = await slowAlembic('upgrade', 20);
    const started = Date.now();
    const run = await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url, ALEMBIC_CONFIG: alembicConfig, ALEMBIC_COMMAND: command } });
    expect(run.exitCode).toBe(65);
    expect(finalError(run)?.msg).toBe(severalHeads);
    expect(await tablesOf(db.url)).toEqual([]);
    // Stopped, not waited for: its upgrade would only have begun after 20 s.
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('several heads, read after alembic refused them itself: the refusal is reported (65), not alembic\'s failure', async () => {
    const alembicConfig = await db.projectWith([COMPUTED, SECOND_HEAD]);
    const run = await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url, ALEMBIC_CONFIG: alembicConfig, ALEMBIC_COMMAND: await slowAlembic('history', 3) } });
    expect(alembicLines(run).join('\n')).toMatch(/Multiple head revisions/);
    expect(run.exitCode).toBe(65);
    expect(finalError(run)?.msg).toBe(severalHeads);
    expect(await tablesOf(db.url)).toEqual([]);
  });

  it('scripts that cannot be read at all, found out while alembic starts: that is the error reported (70), nothing changed', async () => {
    const alembicConfig = await db.projectWith([{ id: 'b40000000000', parent: HEAD, upgrade: ['op.execute("SELECT 1"'] }]);
    const run = await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url, ALEMBIC_CONFIG: alembicConfig, ALEMBIC_COMMAND: await slowAlembic('upgrade', 20) } });
    expect(run.exitCode).toBe(70);
    expect(finalError(run)).toMatchObject({ alembic: { exception: expect.stringMatching(/SyntaxError/) } });
    expect(eventsNamed(run, 'scripts').some((entry) => entry.level === 'error' || entry.level === 'warn')).toBe(true);
    expect(await tablesOf(db.url)).toEqual([]);
  });

  it('a database that is not empty waits for the scripts before it is planned', async () => {
    const alembicConfig = await db.projectWith([COMPUTED]);
    const command = await slowAlembic('history', 1);
    expect((await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url, ALEMBIC_CONFIG: alembicConfig, ALEMBIC_COMMAND: command } })).exitCode).toBe(0);
    const again = await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url, ALEMBIC_CONFIG: alembicConfig, ALEMBIC_COMMAND: command } });
    expect(again.exitCode).toBe(0);
    const inspected = eventsNamed(again, 'inspect');
    expect(inspected.map((entry) => entry.plan)).toEqual(['nothing']);
    expect(indexOf(again, scriptsRead)).toBeLessThan(indexOf(again, (entry) => entry.event === 'inspect'));
  });
});
