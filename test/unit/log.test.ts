import { describe, expect, it } from 'vitest';
import { createLogger, redact } from '../../src/log.js';

describe('redact', () => {
  it('scrubs a password of 6 characters or more wherever it stands', () => {
    expect(redact('{"msg":"auth failed for hunter22 at postgresql://app:hunter22@db/app"}', ['hunter22'])).toBe(
      '{"msg":"auth failed for *** at postgresql://app:***@db/app"}',
    );
  });

  it('scrubs a short password only where a password stands, so the line stays readable', () => {
    const line = '{"msg":"the database at postgresql://a:b@db/x did not become available","dsn":"host=db password=b user=a"}';
    expect(redact(line, ['b'])).toBe('{"msg":"the database at postgresql://a:***@db/x did not become available","dsn":"host=db password=*** user=a"}');
  });

  it('treats regular-expression characters in a short password literally', () => {
    expect(redact('postgresql://a:.*@db/x and .* elsewhere', ['.*'])).toBe('postgresql://a:***@db/x and .* elsewhere');
  });

  it('scrubs the longest spelling first', () => {
    expect(redact('x p%40ssword1 y p@ssword1', ['p%40ssword1', 'p@ssword1'])).toBe('x *** y ***');
  });
});

describe('createLogger', () => {
  const recorder = (level: string, secrets: string[] = []) => {
    const lines: string[] = [];
    const log = createLogger({ level, format: 'json', secrets, write: (line) => lines.push(line) });
    return { log, lines, entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
  };

  it("writes pino's line shape: level label, ISO time, name, the fields in order, msg last, one line each", () => {
    const { log, lines } = recorder('info');
    log.info({ event: 'wait', attempt: 2, skipped: undefined }, 'waiting');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\{"level":"info","time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z","name":"backend-supervisor","event":"wait","attempt":2,"msg":"waiting"\}\n$/);
  });

  it('drops events below the level; silent drops all; a level the configuration never checked logs as info', () => {
    for (const [level, expected] of [['warn', ['error', 'warn']], ['trace', ['error', 'warn', 'info', 'debug', 'trace']], ['silent', []], ['loud', ['error', 'warn', 'info']]] as const) {
      const { log, entries } = recorder(level);
      log.error({}, 'e');
      log.warn({}, 'w');
      log.info({}, 'i');
      log.debug({}, 'd');
      log.trace({}, 't');
      expect(entries().map((entry) => entry.level)).toEqual(expected);
    }
  });

  it('serialises an err as its type, message, stack and own fields, as pino does', () => {
    const { log, entries } = recorder('info');
    const error = Object.assign(new RangeError('boom'), { code: 'E_X', exitCode: 70 });
    log.error({ event: 'exit', err: error }, 'failed');
    expect(entries()[0]?.err).toEqual({ type: 'RangeError', message: 'boom', stack: error.stack, code: 'E_X', exitCode: 70 });
  });

  it('keeps an event whose fields are circular, and scrubs the password from the whole line', () => {
    const { log, entries } = recorder('info', ['hunter22']);
    const loop: Record<string, unknown> = { url: 'postgresql://app:hunter22@db/app' };
    loop.self = loop;
    log.warn({ event: 'x', loop, big: 10n }, 'password hunter22');
    expect(entries()[0]).toMatchObject({ event: 'x', loop: { url: 'postgresql://app:***@db/app', self: '[Circular]' }, big: '10', msg: 'password ***' });
  });
});
