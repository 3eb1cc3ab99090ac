import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { redact } from '../../src/log.js';

/** The compose files pass POSTGRES_PASSWORD as PGPASSWORD beside a DATABASE_URL without a password: it is scrubbed like one. */
describe('PGPASSWORD', () => {
  const password = `p@ss:w/rd?#% $'"x`;

  it('is a secret of the configuration: scrubbed from log lines, however it is spelled', () => {
    const config = loadConfig({ DATABASE_URL: 'postgresql+psycopg2://app@db:5432/app', PGPASSWORD: password }, '/app');
    const secrets = config.databaseUrl?.secrets ?? [];
    expect(secrets).toEqual(expect.arrayContaining([password, JSON.stringify(password).slice(1, -1)]));
    const line = JSON.stringify({ msg: `connecting with ${password}` });
    expect(redact(line, secrets)).not.toContain(JSON.stringify(password).slice(1, -1));
    expect(redact(line, secrets)).toContain('***');
  });

  it('leaves the URL itself, which the app and alembic get unchanged, alone', () => {
    const config = loadConfig({ DATABASE_URL: 'postgresql+psycopg2://app@db:5432/app', PGPASSWORD: password }, '/app');
    expect(config.databaseUrl?.raw).toBe('postgresql+psycopg2://app@db:5432/app');
    // Empty, so node-postgres falls back to PGPASSWORD as libpq does.
    expect(config.databaseUrl?.client.password).toBe('');
  });
});
