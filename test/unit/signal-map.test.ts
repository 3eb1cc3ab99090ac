import { describe, expect, it } from 'vitest';
import { SupervisorError } from '../../src/errors.js';
import { parseSignalMap } from '../../src/supervise/signal-map.js';

describe('parseSignalMap', () => {
  it('is empty when unset or blank', () => {
    expect(parseSignalMap('SIGNAL_MAP', undefined)).toEqual(new Map());
    expect(parseSignalMap('SIGNAL_MAP', '  ')).toEqual(new Map());
  });

  it('reads FROM:TO pairs, names with or without SIG in any case; an empty TO drops', () => {
    expect(parseSignalMap('SIGNAL_MAP', 'HUP:TERM, sigusr1: , Winch:sigusr2,TERM:QUIT')).toEqual(
      new Map<NodeJS.Signals, NodeJS.Signals | null>([
        ['SIGHUP', 'SIGTERM'],
        ['SIGUSR1', null],
        ['SIGWINCH', 'SIGUSR2'],
        ['SIGTERM', 'SIGQUIT'],
      ]),
    );
  });

  it.each([
    ['HUP', /"HUP" is not FROM:TO/],
    ['HUP=TERM', /"HUP=TERM" is not FROM:TO/],
    ['HUP:TERM,', /"" is not FROM:TO/],
    ['NOPE:TERM', /NOPE is not a signal the supervisor forwards/],
    ['KILL:TERM', /KILL is not a signal the supervisor forwards/],
    ['CHLD:TERM', /CHLD is not a signal the supervisor forwards/],
    ['HUP:NOPE', /NOPE is not a signal name/],
    ['HUP:TERM,hup:', /HUP is mapped twice/],
    ['TERM:', /SIGTERM cannot be dropped/],
    ['int:', /SIGINT cannot be dropped/],
  ])('rejects %s, naming the variable and the value', (value, reason) => {
    let error: unknown;
    try {
      parseSignalMap('SIGNAL_MAP', value);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SupervisorError);
    expect((error as SupervisorError).kind).toBe('config');
    expect((error as SupervisorError).message).toContain(`SIGNAL_MAP=${JSON.stringify(value)} is invalid`);
    expect((error as SupervisorError).message).toMatch(reason);
  });
});
