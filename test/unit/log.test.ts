import { describe, expect, it } from 'vitest';
import { redact } from '../../src/log.js';

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
