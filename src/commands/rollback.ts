import { main } from '../main.js';
import type { CommandSpec } from './command.js';
import { usageError } from './parse.js';
import { EXIT, LOGGING, MIGRATION, MIGRATION_EXITS } from './reference.js';

export const rollback: CommandSpec = {
  name: 'rollback',
  summary: 'alembic downgrade, under the migration lock',
  usage: 'rollback (--to REV | --steps N)',
  takes: 'nothing',
  options: {
    to: { type: 'string', valueName: 'REV', describe: 'the revision to downgrade to (e.g. base, or a revision id)' },
    steps: { type: 'string', valueName: 'N', describe: 'how many revisions to step back' },
  },
  environment: [...MIGRATION, ...LOGGING],
  exitCodes: [EXIT.ok, ...MIGRATION_EXITS],
  example: 'backend-supervisor rollback --steps 1',
  run: ({ options, env, cwd }) => main({ name: 'rollback', target: target(options.to, options.steps) }, env, cwd),
};

function target(to: unknown, steps: unknown): string {
  if (to !== undefined && steps !== undefined) throw usageError('rollback', '--to and --steps cannot be used together');
  if (typeof to === 'string') {
    if (to.trim() === '') throw usageError('rollback', '--to needs a revision (e.g. base, or a revision id)');
    return to;
  }
  if (typeof steps !== 'string') throw usageError('rollback', 'rollback needs --to REV or --steps N');
  if (!/^[1-9][0-9]*$/.test(steps.trim())) throw usageError('rollback', `--steps ${JSON.stringify(steps)}: expected a whole number above 0`);
  return `-${steps.trim()}`;
}
