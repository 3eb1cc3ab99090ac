/**
 * `test-migrations`: the migration scripts, tested on a throwaway database: one head, upgrade one
 * revision at a time, the models against the schema, the stairway, a clean downgrade to base.
 */
import { monotonicMs } from '../clock.js';
import { requireDatabaseUrl, type Config } from '../config/config.js';
import { parseDatabaseUrl, passwordSpellings, type DatabaseUrl } from '../config/database-url.js';
import { connect, disconnect } from '../db/connect.js';
import { waitForDatabase } from '../db/wait.js';
import { InterruptedError, reportFailure, SupervisorError } from '../errors.js';
import { createLogger, redact, type Logger } from '../log.js';
import { alembicOptions, runAlembic } from '../migrations/alembic.js';
import { readScriptGraph } from '../migrations/script-graph.js';
import { Phases } from '../phases.js';
import { CheckFailure, checkHeads, runDatabaseChecks, type CheckContext } from './checks.js';
import { databaseOf } from './database-name.js';
import { alembicSaid, errorLine, walkOrder } from './plan.js';
import { CHECKS, logCheck, logReport, printReport, type Report } from './report.js';
import { schemaObjects } from './schema-objects.js';
import { openTestDatabase, type TestDatabase } from './throwaway-database.js';

export interface TestMigrationsCommand {
  name: 'test-migrations';
  /** --database-url: an empty database to test on instead of a throwaway one. */
  databaseUrl?: string;
  json: boolean;
}

export interface TestMigrationsDeps {
  config: Config;
  cwd: string;
  /** Aborts on SIGTERM/SIGINT: alembic is stopped, the throwaway database still dropped. */
  signal: AbortSignal;
}

/** Resolves with the exit code: 0 all checks passed, 70 one failed, else why the checks could not run. */
export async function testMigrations(command: TestMigrationsCommand, { config, cwd, signal }: TestMigrationsDeps): Promise<number> {
  const secrets = [...(config.databaseUrl?.secrets ?? []), ...passwordSpellings(command.databaseUrl ?? '')];
  const log = createLogger({ level: config.logLevel, format: config.logFormat, secrets, fd: command.json ? 2 : 1 });
  const startedAt = monotonicMs();
  const report: Report = { ok: false, exitCode: 0, throwaway: command.databaseUrl === undefined, target: 'head', heads: [], durationMs: 0, checks: [], revisions: [] };
  try {
    await run(command, { config, cwd, signal }, log, report);
    report.ok = true;
  } catch (error) {
    if (error instanceof CheckFailure) {
      report.failure = error.failure;
      report.exitCode = exitCodeOfFailedCheck;
    } else {
      report.exitCode = reportFailure(error, log);
      report.error = error instanceof InterruptedError || error instanceof SupervisorError ? error.message : `internal error: ${(error as Error).message}`;
    }
  }
  for (const name of CHECKS) {
    if (!report.checks.some((check) => check.name === name)) report.checks.push({ name, status: 'not-run', durationMs: 0, summary: 'not run' });
  }
  report.durationMs = Math.round(monotonicMs() - startedAt);
  logReport(log, report);
  if (command.json) printReport(report, (text) => redact(text, secrets));
  return report.exitCode;
}

/** A check failed: the migrations are broken, like a failed `migrate` (70). */
const exitCodeOfFailedCheck = 70;

async function run(command: TestMigrationsCommand, { config, cwd, signal }: TestMigrationsDeps, log: Logger, report: Report): Promise<void> {
  report.target = config.migrationTarget;
  const given = command.databaseUrl === undefined ? undefined : parseGivenUrl(command.databaseUrl);
  const server = given ?? requireDatabaseUrl(config, 'test-migrations creates its throwaway database on the server of DATABASE_URL (or pass an empty database with --database-url)');
  const alembicAt = (url: DatabaseUrl) => (args: string[]) =>
    runAlembic(args, { ...alembicOptions(config, signal, log), echoLevel: 'debug', env: { DATABASE_URL: url.raw } });

  const scripts = await readScriptGraph(config.alembicConfig, { cwd, log, phases: new Phases(log), alembicHistory: () => alembicAt(server)(['history', '--verbose']) });
  report.heads = scripts.heads;
  const heads = checkHeads({ scripts, target: report.target });
  report.checks.push(heads.result);
  logCheck(log, heads.result);
  if (heads.failure) throw new CheckFailure(heads.failure);
  const walk = walkOrder(scripts);

  const admin = await waitForDatabase(server, { timeoutMs: config.dbWaitTimeoutMs, signal, log, phases: new Phases(log) });
  let testDb: TestDatabase;
  try {
    testDb = await openTestDatabase(admin, { server, given, log, probe: (url) => requireAlembicFollows(url, alembicAt(url)) });
  } finally {
    await disconnect(admin);
  }
  report.database = testDb.url.redacted;
  try {
    const db = await connect(testDb.url, config.dbWaitTimeoutMs);
    try {
      const context: CheckContext = { scripts, target: report.target, walk, alembic: alembicAt(testDb.url), objects: () => schemaObjects(db, { withVersionTable: false }), log };
      const { results, timings, failure } = await runDatabaseChecks(context);
      report.checks.push(...results);
      report.revisions = timings;
      if (failure) throw new CheckFailure(failure);
    } finally {
      await disconnect(db);
    }
  } finally {
    await testDb.dispose();
  }
}

function parseGivenUrl(raw: string): DatabaseUrl {
  try {
    return parseDatabaseUrl(raw.trim());
  } catch (error) {
    throw new SupervisorError('config', (error as Error).message.replace(/^DATABASE_URL=/, '--database-url '), { variable: '--database-url' });
  }
}

/**
 * env.py must take its URL from DATABASE_URL, or the checks would upgrade and downgrade whatever
 * database it names instead (sqlalchemy.url in alembic.ini, other variables). `alembic current`
 * only reads; pointed at a database that does not exist, it must fail saying so.
 */
async function requireAlembicFollows(probe: DatabaseUrl, alembic: (args: string[]) => Promise<string[]>): Promise<void> {
  const name = databaseOf(probe);
  try {
    await alembic(['current']);
  } catch (error) {
    const output = error instanceof SupervisorError ? alembicSaid(error) : undefined;
    if (output === undefined) throw error;
    if (output.includes(name)) return;
    throw new SupervisorError('migrationFailed', `alembic current failed before it reached the database: ${errorLine(output)}`);
  }
  throw new SupervisorError(
    'config',
    `alembic reached a database although DATABASE_URL named one that does not exist (${name}): env.py takes its URL from elsewhere (sqlalchemy.url in ALEMBIC_CONFIG, other variables), so test-migrations would migrate that database; make env.py read DATABASE_URL, as examples/backend/alembic/env.py does`,
    { variable: 'DATABASE_URL' },
  );
}
