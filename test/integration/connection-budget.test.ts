import { describe, expect, it } from 'vitest';
import { alembicLines } from '../support/expect.js';
import { perTest } from '../support/per-test.js';
import { query, versionsOf } from '../support/postgres.js';
import { slowRevision } from '../support/project.js';
import { runSupervisor } from '../support/supervisor.js';

const db = perTest();

describe('the connection budget', () => {
  it('12 replicas migrating at once under a role with CONNECTION LIMIT 6 all succeed', { timeout: 180_000 }, async () => {
    const url = new URL(db.url);
    const database = url.pathname.slice(1);
    const role = `budget_${database}`;
    await query(db.url, `CREATE ROLE ${role} LOGIN PASSWORD 'Kq7-wPz2' CONNECTION LIMIT 6`);
    await query(db.url, `ALTER DATABASE ${database} OWNER TO ${role}`);
    url.username = role;
    url.password = 'Kq7-wPz2';
    const env = { DATABASE_URL: url.toString(), ALEMBIC_CONFIG: await db.projectWith([slowRevision(3)]), DB_WAIT_TIMEOUT: '60' };
    const replicas = await Promise.all(Array.from({ length: 12 }, () => runSupervisor(['migrate'], { env, timeoutMs: 170_000 })));
    expect(replicas.map((replica) => replica.exitCode), replicas.map((replica) => replica.stdout).join('\n')).toEqual(Array(12).fill(0));
    // One replica migrated (the example's 4 revisions and the slow one); the others found it done.
    expect(replicas.flatMap(alembicLines).filter((line) => line.includes('Running upgrade'))).toHaveLength(5);
    expect(await versionsOf(db.url)).toEqual(['5100000000ff']);
  });
});
