import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/log.js';
import { Phases } from '../../src/phases.js';
import { readScriptGraph } from '../../src/migrations/script-graph.js';
import { generatedHistory, type GeneratedHistory } from '../support/generated-history.js';
import { pythonPath } from '../support/paths.js';
import { HEAD, REVISIONS } from '../support/project.js';

const noLog = { warn: () => {}, info: () => {}, error: () => {}, debug: () => {} } as unknown as Logger;

// The 300-revision history of `npm run bench`, checked here so the bench measures what it claims.
describe('the generated 300-revision history', () => {
  let history: GeneratedHistory;
  beforeAll(async () => {
    history = await generatedHistory({ count: 300, seed: 1 });
  });
  afterAll(() => history?.remove());

  it('has 300 revisions, branches and merges, every parent written before its child, one head', () => {
    expect(history.revisions).toHaveLength(300);
    expect(history.branches).toBeGreaterThanOrEqual(10);
    expect(history.merges).toBeGreaterThanOrEqual(10);
    const known = new Set<string>(REVISIONS);
    for (const { id, parents } of history.revisions) {
      for (const parent of parents) expect(known.has(parent), `${id}'s parent ${parent}`).toBe(true);
      known.add(id);
    }
    const parents = new Set(history.revisions.flatMap((revision) => revision.parents));
    expect(parents.has(HEAD)).toBe(true);
    const childless = history.revisions.map((revision) => revision.id).filter((id) => !parents.has(id));
    expect(childless).toEqual([history.head]);
  });

  it('is the same for the same seed, and another for another seed', async () => {
    const again = await generatedHistory({ count: 300, seed: 1 });
    const other = await generatedHistory({ count: 300, seed: 2 });
    try {
      expect(again.revisions).toEqual(history.revisions);
      expect(other.revisions.map((revision) => revision.id)).not.toEqual(history.revisions.map((revision) => revision.id));
    } finally {
      await Promise.all([again.remove(), other.remove()]);
    }
  });

  it('is read by the fast path, without alembic, as alembic itself reads it', async () => {
    const graph = await readScriptGraph(history.alembicConfig, {
      cwd: history.dir,
      log: noLog,
      phases: new Phases(noLog),
      alembicHistory: () => Promise.reject(new Error('the fast path fell back to alembic history')),
    });
    expect(graph.heads).toEqual([history.head]);
    expect(graph.revisions.size).toBe(304);
    for (const { id, parents } of history.revisions) expect(graph.revisions.get(id)).toEqual(parents);

    const heads = await execa('alembic', ['-c', history.alembicConfig, 'heads'], { env: { PATH: pythonPath() }, extendEnv: false });
    expect(heads.stdout.trim()).toBe(`${history.head} (head)`);
  });

  // It runs beside the connection's round trips (the wait, the lock): a read that held the event loop
  // for all 304 files would hold them up too.
  it('is read in slices that give the event loop turns, not in one synchronous stretch', async () => {
    let turns = 0;
    const counting = setInterval(() => (turns += 1), 0);
    try {
      await readScriptGraph(history.alembicConfig, { cwd: history.dir, log: noLog, phases: new Phases(noLog), alembicHistory: () => Promise.reject(new Error('fell back')) });
    } finally {
      clearInterval(counting);
    }
    expect(turns).toBeGreaterThan(1);
  });
});
