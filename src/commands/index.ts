import type { CommandSpec } from './command.js';
import { migrate } from './migrate.js';
import { probeCommand } from './probe.js';
import { rollback } from './rollback.js';
import { run } from './run.js';
import { status } from './status.js';
import { testMigrationsCommand } from './test-migrations.js';
import { wait } from './wait.js';

/** Every command, in the order the help lists them. A new command: its own file, and one line here. */
export const COMMANDS: readonly CommandSpec[] = [run, migrate, status, wait, rollback, testMigrationsCommand, probeCommand];
