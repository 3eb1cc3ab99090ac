import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { parseDatabaseUrl } from '../../src/config/database-url.js';
import { SupervisorError } from '../../src/errors.js';
import { SUPERVISOR, VENV_BIN } from '../support/paths.js';
import { perTest } from '../support/per-test.js';
import { withClient } from '../support/postgres.js';
import { runSupervisor } from '../support/supervisor.js';
import { fragmentsOf, random, randomPassword, SHAPES, urlCase, type Target, type UrlCase } from '../support/url-shapes.js';

// Replay a failure with TEST_SEED=<the seed in its message>.
const SEED = Number(process.env.TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
const CASES_PER_SHAPE = 6;
const CONCURRENCY = 4;

/**
 * Text the supervisor may print by itself (its own code, the server's messages, the URL around the
 * password, timestamps): a password sharing a 4-character piece with it is not drawn, so a piece
 * found in the output can only have come from the password.
 */
function ownText(target: Target): Set<string> {
  const text = [readFileSync(SUPERVISOR, 'utf8'), JSON.stringify(target), 'password authentication failed for user', '0123456789:.-TZ'].join('\n');
  const pieces = new Set<string>();
  for (let start = 0; start + 4 <= text.length; start += 1) pieces.add(text.slice(start, start + 4));
  return pieces;
}

function drawCases(seed: number, target: Target, perShape: number): UrlCase[] {
  const next = random(seed);
  const forbidden = ownText(target);
  const cases: UrlCase[] = [];
  for (const shape of Object.keys(SHAPES)) {
    for (let drawn = 0; drawn < perShape; ) {
      const candidate = urlCase(shape, randomPassword(next), { ...target, user: `${target.user}_${cases.length}` });
      if (fragmentsOf(candidate.password).some((piece) => forbidden.has(piece))) continue;
      cases.push(candidate);
      drawn += 1;
    }
  }
  return cases;
}

async function inPool<T, R>(items: T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let index = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (index < items.length) {
        const mine = index++;
        results[mine] = await work(items[mine] as T);
      }
    }),
  );
  return results;
}

const db = perTest();

describe('DATABASE_URL never leaks its password', () => {
  it(`agrees with SQLAlchemy and libpq on every URL it accepts (seed ${SEED})`, async () => {
    const target = { user: 'app', host: 'db.example:5432', database: 'app' };
    const cases = drawCases(SEED, target, 60);
    const read = await readWithPython(cases.map((entry) => entry.url));
    let accepted = 0;
    cases.forEach((entry, index) => {
      const context = `seed ${SEED}, shape ${entry.shape}, case ${index}`;
      let ours: ReturnType<typeof parseDatabaseUrl>;
      try {
        ours = parseDatabaseUrl(entry.url);
      } catch (error) {
        expect(error, context).toBeInstanceOf(SupervisorError);
        expect((error as SupervisorError).exitCode, context).toBe(64);
        expect(entry.expectedExit, `${context}: refused a URL the README promises to accept`).toBe(64);
        return;
      }
      accepted += 1;
      expect(entry.expectedExit, `${context}: accepted a URL the README promises to refuse`).not.toBe(64);
      const { sqlalchemy, libpq } = read[index] as PythonReading;
      const mine = { user: ours.client.user, password: ours.client.password, host: ours.client.host, database: ours.client.database };
      expect(sqlalchemy, context).toEqual(mine);
      expect(libpq, context).toEqual(mine);
      const sslpassword = (ours.client as Record<string, unknown>).sslpassword;
      if (sslpassword !== undefined) expect(read[index]?.sslpassword, context).toEqual({ sqlalchemy: sslpassword, libpq: sslpassword });
    });
    expect(accepted).toBeGreaterThan(cases.length / 3);
  });

  describe('through the built supervisor', () => {
    const roles: string[] = [];
    let cases: UrlCase[] = [];

    afterAll(async () => {
      if (roles.length > 0) await withClient(inject('adminUrl'), (client) => client.query(roles.map((role) => `DROP ROLE IF EXISTS ${role};`).join('\n')));
    });

    it(`exits as documented and prints no 4-character piece of the password, for every URL shape (seed ${SEED})`, { timeout: 240_000 }, async () => {
      const server = new URL(db.url);
      const prefix = `pt_${process.pid}_${SEED.toString(36)}`;
      const target = { user: prefix, host: `${server.hostname}:${server.port}`, database: server.pathname.slice(1) };
      cases = drawCases(SEED, target, CASES_PER_SHAPE);
      await withClient(inject('adminUrl'), async (client) => {
        for (const [index, entry] of cases.entries()) {
          const role = `${prefix}_${index}`;
          roles.push(role);
          await client.query(`CREATE ROLE ${role} LOGIN PASSWORD ${client.escapeLiteral(entry.password)}`);
        }
      });
      const failures = (
        await inPool(cases, CONCURRENCY, async (entry) => {
          const run = await runSupervisor(['wait'], { env: { DATABASE_URL: entry.url, DB_WAIT_TIMEOUT: '10' } });
          const output = `${run.stdout}\n${run.stderr}`;
          const leaked = fragmentsOf(entry.password).filter((piece) => output.includes(piece));
          if (run.exitCode === entry.expectedExit && leaked.length === 0) return [];
          return [`${entry.shape}: exit ${run.exitCode} (expected ${entry.expectedExit}), leaked ${JSON.stringify(leaked)}, password ${JSON.stringify(entry.password)}\n${output.slice(0, 2000)}`];
        })
      ).flat();
      expect(failures, `seed ${SEED} (rerun with TEST_SEED=${SEED})`).toEqual([]);
    });
  });
});

interface PythonReading {
  sqlalchemy: Record<string, unknown>;
  libpq: Record<string, unknown>;
  sslpassword: { sqlalchemy: unknown; libpq: unknown };
}

/** How SQLAlchemy's make_url (as the example's app.db does it) and libpq's own parser read each URL. */
async function readWithPython(urls: string[]): Promise<PythonReading[]> {
  const script = `
import json, re, sys
from psycopg2.extensions import parse_dsn
from app.db import normalise_url
out = []
for raw in json.load(sys.stdin):
    entry = {}
    try:
        u = normalise_url(raw)
        entry["sqlalchemy"] = {"user": u.username or u.query.get("user"), "password": u.password if u.password is not None else u.query.get("password"), "host": u.host, "database": u.database}
        ssl_sa = u.query.get("sslpassword")
    except Exception as error:
        entry["sqlalchemy"] = {"error": type(error).__name__}
        ssl_sa = None
    try:
        d = parse_dsn(re.sub(r"^postgres(ql)?(\\+\\w+)?://", "postgresql://", raw))
        entry["libpq"] = {"user": d.get("user"), "password": d.get("password"), "host": d.get("host"), "database": d.get("dbname")}
        ssl_pq = d.get("sslpassword")
    except Exception as error:
        entry["libpq"] = {"error": type(error).__name__}
        ssl_pq = None
    entry["sslpassword"] = {"sqlalchemy": ssl_sa, "libpq": ssl_pq}
    out.append(entry)
print(json.dumps(out))
`;
  const result = await execa(path.join(VENV_BIN, 'python'), ['-c', script], { input: JSON.stringify(urls), cwd: path.resolve('examples/backend') });
  return JSON.parse(result.stdout) as PythonReading[];
}
