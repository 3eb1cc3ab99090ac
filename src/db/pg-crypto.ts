// pg's crypto helpers (pg/lib/crypto/utils.js) on node:crypto's one-shot functions; scripts/pg-on-node.mjs
// puts this module in their place. pg's own use WebCrypto, for Cloudflare Workers: on Node, loading
// it and taking SCRAM's eight asynchronous steps through the thread pool cost several milliseconds
// of every connection. Same names, same results (pg wraps each digest in Buffer.from); the test
// compares the two.
import { createHash, createHmac, pbkdf2Sync, randomBytes as nodeRandomBytes } from 'node:crypto';

type Bytes = Buffer | ArrayBuffer | Uint8Array;

const asBuffer = (data: Bytes) => (Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer));

export function randomBytes(length: number): Buffer {
  return nodeRandomBytes(length);
}

export async function md5(text: string | Buffer): Promise<string> {
  return createHash('md5').update(text).digest('hex');
}

/** See AuthenticationMD5Password in PostgreSQL's protocol flow. */
export async function postgresMd5PasswordHash(user: string, password: string, salt: Buffer): Promise<string> {
  const inner = await md5(password + user);
  return `md5${await md5(Buffer.concat([Buffer.from(inner), salt]))}`;
}

export async function sha256(data: Bytes): Promise<Buffer> {
  return createHash('sha256').update(asBuffer(data)).digest();
}

/** WebCrypto's names ('SHA-256', as a certificate's signature algorithm gives them) for node:crypto ('sha256'). */
export async function hashByName(name: string, data: Bytes): Promise<Buffer> {
  return createHash(name.replace('-', '').toLowerCase()).update(asBuffer(data)).digest();
}

export async function hmacSha256(key: Bytes, message: string): Promise<Buffer> {
  return createHmac('sha256', asBuffer(key)).update(message).digest();
}

/**
 * PBKDF2-HMAC-SHA-256, 32 bytes: SCRAM's salted password. On the event loop: about 2 ms at the
 * server's default 4096 iterations, while nothing else waits, and no thread pool to start for it
 * (four threads, their stacks and malloc arenas, kept for the life of the supervisor).
 */
export async function deriveKey(password: string, salt: Uint8Array, iterations: number): Promise<Buffer> {
  return pbkdf2Sync(password, salt, iterations, 32, 'sha256');
}
