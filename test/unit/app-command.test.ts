import { describe, expect, it } from 'vitest';
import { splitAppCommand } from '../../src/app-command.js';

describe('splitAppCommand', () => {
  it('gives everything after -- to the app', () => {
    expect(splitAppCommand(['run', '-g', '--', 'uvicorn', '--port', '80'])).toEqual({ own: ['run', '-g'], app: ['uvicorn', '--port', '80'] });
    expect(splitAppCommand(['--', 'sh', '-c', 'exit 3'])).toEqual({ own: [], app: ['sh', '-c', 'exit 3'] });
  });

  it('without --, gives the app everything from its command on, options included', () => {
    expect(splitAppCommand(['uvicorn', 'app.main:app', '--port', '80'])).toEqual({ own: [], app: ['uvicorn', 'app.main:app', '--port', '80'] });
    expect(splitAppCommand(['run', '-g', 'uvicorn', '--reload'])).toEqual({ own: ['run', '-g'], app: ['uvicorn', '--reload'] });
  });

  it('leaves the other commands and their option values alone', () => {
    expect(splitAppCommand(['rollback', '--to', 'base'])).toEqual({ own: ['rollback', '--to', 'base'], app: [] });
    expect(splitAppCommand(['migrate'])).toEqual({ own: ['migrate'], app: [] });
    expect(splitAppCommand(['--help'])).toEqual({ own: ['--help'], app: [] });
  });
});
