import type { Logger } from './log.js';
import { monotonicMs } from './clock.js';

export type PhaseName = 'scripts' | 'wait' | 'lock' | 'inspect' | 'migrate' | 'verify' | 'app' | 'shutdown';

/** Times each start-up phase, logs one event for it, and sums them up in the final `startup` event. */
export class Phases {
  private readonly durations: Partial<Record<PhaseName, number>> = {};
  private readonly startedAt = monotonicMs();

  constructor(private readonly log: Logger) {}

  start(phase: PhaseName) {
    const startedAt = monotonicMs();
    const elapsed = () => Math.round(monotonicMs() - startedAt);
    // A message may quote the duration: it then gets the very figure logged as durationMs.
    type Message = string | ((durationMs: number) => string);
    const end = (level: 'info' | 'warn' | 'error', fields: Record<string, unknown>, message: Message) => {
      const durationMs = elapsed();
      this.durations[phase] = (this.durations[phase] ?? 0) + durationMs;
      this.log[level]({ event: phase, durationMs, ...fields }, typeof message === 'function' ? message(durationMs) : message);
    };
    return {
      elapsed,
      done: (fields: Record<string, unknown>, message: Message) => end('info', fields, message),
      warn: (fields: Record<string, unknown>, message: Message) => end('warn', fields, message),
      fail: (fields: Record<string, unknown>, message: Message) => end('error', fields, message),
    };
  }

  /** Each phase's total duration so far, in ms. */
  durationsSoFar(): Partial<Record<PhaseName, number>> {
    return { ...this.durations };
  }

  summarise(fields: Record<string, unknown>, message: string): void {
    const totalMs = Math.round(monotonicMs() - this.startedAt);
    this.log.info({ event: 'startup', totalMs, phases: this.durations, ...fields }, message);
  }
}
