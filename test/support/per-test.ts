import { afterEach, beforeEach, inject } from 'vitest';
import { createDatabase } from './postgres.js';
import { exampleWith, type ExtraRevision } from './project.js';

/**
 * Per test: a fresh database on the suite's server (so tests run in parallel without meeting),
 * and copies of the example project that are removed afterwards.
 */
export function perTest() {
  let url = '';
  const removals: Array<() => Promise<void>> = [];
  beforeEach(async () => {
    url = await createDatabase(inject('adminUrl'));
  });
  afterEach(async () => {
    for (const remove of removals.splice(0)) await remove();
  });
  return {
    get url() {
      return url;
    },
    /** The ALEMBIC_CONFIG of a copy of the example with extra revisions. */
    async projectWith(extra: ExtraRevision[]): Promise<string> {
      const project = await exampleWith(extra);
      removals.push(project.remove);
      return project.alembicConfig;
    },
  };
}
