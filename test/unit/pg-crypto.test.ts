import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as ours from '../../src/db/pg-crypto.js';
import { random } from '../support/random.js';

// The driver's own helpers, which the build replaces with src/db/pg-crypto.ts: the two must agree.
const theirs = createRequire(import.meta.url)('pg/lib/crypto/utils.js') as typeof ours;

const next = random(20261128);
const bytes = (length: number) => Buffer.from(Array.from({ length }, () => Math.floor(next() * 256)));
const text = (length: number) => String.fromCodePoint(...Array.from({ length }, () => [0x41 + Math.floor(next() * 26), 0x40, 0x3a, 0x2f, 0xe9, 0x20ac, 0x1f600][Math.floor(next() * 7)] as number));
type Result = ArrayBuffer | Uint8Array | string;
const plain = (value: Result) => (typeof value === 'string' ? value : Buffer.from(value instanceof ArrayBuffer ? new Uint8Array(value) : value));
const same = async (a: Promise<Result>, b: Promise<Result>) => {
  const [left, right] = await Promise.all([a, b]);
  expect(plain(left)).toEqual(plain(right));
};

describe("pg's crypto helpers on node:crypto give the driver's own results", () => {
  it('deriveKey (PBKDF2-SHA-256, SCRAM salted password) for passwords with non-ASCII, iterations from 1 to 4096', async () => {
    for (const iterations of [1, 2, 4096]) {
      for (let round = 0; round < 5; round += 1) {
        const password = text(1 + Math.floor(next() * 30));
        const salt = bytes(16);
        await same(ours.deriveKey(password, salt, iterations), theirs.deriveKey(password, salt, iterations));
      }
    }
  });

  it('hmacSha256 with a key from either (ArrayBuffer or Buffer), sha256, hashByName', async () => {
    for (let round = 0; round < 20; round += 1) {
      const key = bytes(32);
      const message = text(Math.floor(next() * 60));
      await same(ours.hmacSha256(key, message), theirs.hmacSha256(key, message));
      await same(ours.hmacSha256(key.buffer.slice(key.byteOffset, key.byteOffset + key.length), message), theirs.hmacSha256(key, message));
      await same(ours.sha256(key), theirs.sha256(key));
      for (const name of ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512']) await same(ours.hashByName(name, key), theirs.hashByName(name, key));
    }
  });

  it('md5 and the md5 password hash', async () => {
    for (let round = 0; round < 20; round += 1) {
      const user = text(8);
      const password = text(12);
      const salt = bytes(4);
      await same(ours.md5(password), theirs.md5(password));
      await same(ours.postgresMd5PasswordHash(user, password, salt), theirs.postgresMd5PasswordHash(user, password, salt));
    }
  });

  it('randomBytes gives fresh bytes of the length asked', () => {
    expect(ours.randomBytes(18)).toHaveLength(18);
    expect(ours.randomBytes(18).equals(ours.randomBytes(18))).toBe(false);
  });
});
