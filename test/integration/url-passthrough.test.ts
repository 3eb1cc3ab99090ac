import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectNoPassword } from '../support/expect.js';
import { perTest } from '../support/per-test.js';
import { TEST_PASSWORD, versionsOf } from '../support/postgres.js';
import { HEAD } from '../support/project.js';
import { runSupervisor } from '../support/supervisor.js';

const db = perTest();
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Every URL form the supervisor accepts, as a change to a plain URL of the test server (password percent-encoded). */
const FORMS: Array<[string, (url: URL) => string]> = [
  ['postgresql://', (url) => url.toString()],
  ['postgres://', (url) => url.toString().replace(/^postgresql:/, 'postgres:')],
  ['postgresql+psycopg2://', (url) => url.toString().replace(/^postgresql:/, 'postgresql+psycopg2:')],
  ['postgresql+asyncpg://', (url) => url.toString().replace(/^postgresql:/, 'postgresql+asyncpg:')],
  ['a query string', (url) => `${url.toString()}?sslmode=disable&application_name=my%20app`],
];

describe('DATABASE_URL reaches alembic and the app byte for byte', () => {
  it.each(FORMS)('%s', async (form, build) => {
    const plain = new URL(db.url);
    expect(plain.password).toBe(encodeURIComponent(TEST_PASSWORD));
    const url = build(plain);
    const digests = await mkdtemp(path.join(tmpdir(), 'bs-digest-'));
    const alembicConfig = await db.projectWith([]);
    // env.py of this copy writes the sha256 of the DATABASE_URL alembic was given, before anything else.
    const envPy = path.join(path.dirname(alembicConfig), 'alembic/env.py');
    const original = await readFile(envPy, 'utf8');
    await writeFile(
      envPy,
      `import hashlib as _h, os as _o\nopen(_o.path.join(${JSON.stringify(digests)}, "alembic"), "w").write(_h.sha256(_o.environ["DATABASE_URL"].encode()).hexdigest())\n${original}`,
    );
    const app = `printf %s "$DATABASE_URL" | sha256sum | cut -d' ' -f1 | tr -d '\\n' > ${digests}/app`;
    const run = await runSupervisor(['--', 'sh', '-c', app], { env: { DATABASE_URL: url, ALEMBIC_CONFIG: alembicConfig } });
    expectNoPassword(run);
    expect(run.exitCode, form).toBe(0);
    expect(await versionsOf(db.url)).toEqual([HEAD]);
    expect(await readFile(path.join(digests, 'alembic'), 'utf8'), `alembic, ${form}`).toBe(sha256(url));
    expect(await readFile(path.join(digests, 'app'), 'utf8'), `app, ${form}`).toBe(sha256(url));
  });
});
