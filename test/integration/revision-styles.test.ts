import { rm } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { parseHistory } from '../../src/migrations/alembic-history.js';
import { headsOf } from '../../src/migrations/plan.js';
import { readScriptGraph } from '../../src/migrations/script-graph.js';
import { Phases } from '../../src/phases.js';
import { eventsNamed, expectNoPassword } from '../support/expect.js';
import { VENV_BIN } from '../support/paths.js';
import { perTest } from '../support/per-test.js';
import { versionsOf } from '../support/postgres.js';
import { HEAD } from '../support/project.js';
import { generateProject, type GeneratedProject } from '../support/revision-histories.js';
import { runSupervisor } from '../support/supervisor.js';

const db = perTest();
const generated: string[] = [];
afterAll(async () => {
  for (const dir of generated) await rm(dir, { recursive: true, force: true });
});

/** Seeds of the default run; BS_HISTORY_SEED=<n> replays one, BS_HISTORY_CASES=<n> runs more. */
const BASE_SEED = Number(process.env.BS_HISTORY_SEED ?? 20261124);
const CASES = process.env.BS_HISTORY_SEED ? 1 : Number(process.env.BS_HISTORY_CASES ?? 12);

async function alembicHistory(project: GeneratedProject): Promise<string[]> {
  const result = await execa(path.join(VENV_BIN, 'alembic'), ['-c', project.alembicConfig, 'history', '--verbose'], { cwd: project.dir, reject: false, all: true });
  if (result.exitCode !== 0) throw new Error(`alembic history failed on the generated project ${project.dir}:\n${result.all}`);
  return String(result.stdout).split('\n');
}

async function fastPath(project: GeneratedProject, history: string[]) {
  let asked = 0;
  const graph = await readScriptGraph(project.alembicConfig, {
    cwd: project.dir,
    log: createLogger({ level: 'silent', format: 'json', secrets: [] }),
    phases: new Phases(createLogger({ level: 'silent', format: 'json', secrets: [] })),
    alembicHistory: async () => {
      asked += 1;
      return history;
    },
  });
  return { graph, asked };
}

describe('property: the fast path reads exactly the graph alembic reads, or declines', () => {
  // Everything about a case follows from its seed, so a printed seed replays it exactly; one case
  // in every 12 seeds is a history of 300+ revisions, the others small, so the default run stays fast.
  const cases = Array.from({ length: CASES }, (_, index) => {
    const seed = BASE_SEED + index;
    return { seed, size: seed % 12 === 0 ? 320 : 8 + (seed % 40), unreadable: seed % 3 === 2 };
  });
  it.each(cases)('seed $seed: $size revisions (unreadable file: $unreadable)', async ({ seed, size, unreadable }) => {
    const project = await generateProject(seed, size, { unreadable });
    const replay = `replay with BS_HISTORY_SEED=${seed}; the generated project is kept in ${project.dir}`;
    const history = await alembicHistory(project);
    const truth = new Map(project.revisions.map((revision) => [revision.id, revision]));

    // alembic agrees with what was generated: the generator writes what it means.
    const alembicGraph = parseHistory(history);
    expect([...alembicGraph.keys()].sort(), replay).toEqual([...truth.keys()].sort());
    for (const [id, entry] of alembicGraph) {
      const expected = truth.get(id);
      expect(entry, `${replay}: revision ${id}`).toEqual({ parents: expected?.parents, file: expected?.file, ...(expected?.message === undefined ? {} : { message: expected.message }) });
    }
    if (!project.usesDependsOn) {
      const markedHeads = history.flatMap((line) => /^Rev: (\S+).*\(head\)/.exec(line)?.[1] ?? []).sort();
      expect(headsOf(new Map([...alembicGraph].map(([id, entry]) => [id, entry.parents]))), replay).toEqual(markedHeads);
    }

    const { graph, asked } = await fastPath(project, history);
    expect(asked, `${replay}: the fast path ${unreadable ? 'must decline' : 'must not ask alembic'}`).toBe(unreadable ? 1 : 0);
    expect(graph.revisions, replay).toEqual(new Map([...alembicGraph].map(([id, entry]) => [id, entry.parents])));
    expect(graph.heads, replay).toEqual(headsOf(graph.revisions));
    expect(graph.details, replay).toEqual(new Map([...alembicGraph].map(([id, { file, message }]) => [id, { file, ...(message === undefined ? {} : { message }) }])));
    generated.push(project.dir);
  });
});

describe('revision files in every style, on a real database', () => {
  it("revision = u'...' (Python 2 style) is read: no false 'several heads', no Python at head", async () => {
    const legacy = '1a2b3c4d5e6f';
    const child = '2b3c4d5e6f70';
    const alembicConfig = await db.projectWith([
      { id: legacy, parent: HEAD, upgrade: ['op.create_table("legacy", sa.Column("id", sa.Integer, primary_key=True))'], identifiers: `revision = u'${legacy}'\ndown_revision = u'${HEAD}'` },
      { id: child, parent: legacy, upgrade: ['pass'] },
    ]);
    const run = await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url, ALEMBIC_CONFIG: alembicConfig } });
    expectNoPassword(run);
    expect(run.exitCode).toBe(0);
    expect(eventsNamed(run, 'scripts')).toEqual([expect.objectContaining({ level: 'info', source: 'files', revisions: 6, heads: [child] })]);
    expect(await versionsOf(db.url)).toEqual([child]);
    const again = await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url, ALEMBIC_CONFIG: alembicConfig } });
    expect(again.exitCode).toBe(0);
    expect(eventsNamed(again, 'alembic')).toEqual([]);
  });

  it('a computed identifier makes the whole graph come from alembic history, with a warning naming the file, timed in startup', async () => {
    const id = 'c0c0c0c0c0c0';
    const alembicConfig = await db.projectWith([{ id, parent: HEAD, upgrade: ['pass'], identifiers: `revision = "c0c0c0" + "c0c0c0"\ndown_revision = "${HEAD}"` }]);
    const run = await runSupervisor(['migrate'], { env: { DATABASE_URL: db.url, ALEMBIC_CONFIG: alembicConfig } });
    expect(run.exitCode).toBe(0);
    const file = path.join(path.dirname(alembicConfig), 'alembic/versions', `${id}.py`);
    const warning = eventsNamed(run, 'scripts').find((entry) => entry.level === 'warn');
    expect(warning?.reason).toBe(`${file}: cannot read revision = 'c0c0c0' + 'c0c0c0' without running Python (only literal strings, None, tuples and lists of strings can be read)`);
    const done = eventsNamed(run, 'scripts').find((entry) => entry.level === 'info');
    expect(done).toMatchObject({ source: 'alembic history', revisions: 5, heads: [id], durationMs: expect.any(Number) });
    const startup = eventsNamed(run, 'startup')[0];
    expect((startup?.phases as Record<string, number>).scripts).toBe(done?.durationMs);
    expect(await versionsOf(db.url)).toEqual([id]);
  });
});
