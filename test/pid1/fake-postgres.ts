import { EventEmitter, once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';

/**
 * Just enough of the PostgreSQL wire protocol for the supervisor's database wait: trust
 * authentication, and an empty result for every simple query (SELECT 1). What makes it useful
 * is that it can hold a connection open after the client's Terminate message, which keeps the
 * supervisor in its disconnect step (between "the database is available" and starting the app)
 * for as long as a test needs.
 */
export class FakePostgres extends EventEmitter {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly holdAfterTerminateMs: number) {
    super();
    // allowHalfOpen: the client's FIN after Terminate must not close our side at once.
    this.server = createServer({ allowHalfOpen: true }, (socket) => this.serve(socket));
  }

  async listen(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    return this;
  }

  url(): string {
    return `postgresql://app:app-password@127.0.0.1:${this.port}/app`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    let buffer = Buffer.alloc(0);
    let started = false;
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (!started) {
          // Startup packets have no type byte: int32 length, int32 code, ...
          if (buffer.length < 8) return;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) return;
          const code = buffer.readInt32BE(4);
          buffer = buffer.subarray(length);
          if (code === 80877103 || code === 80877104) {
            socket.write('N'); // no SSL, no GSS encryption
            continue;
          }
          started = true;
          socket.write(Buffer.concat([message('R', int32(0)), message('Z', Buffer.from('I'))]));
          this.emit('connection');
          continue;
        }
        if (buffer.length < 5) return;
        const type = String.fromCharCode(buffer[0] as number);
        const length = buffer.readInt32BE(1);
        if (buffer.length < length + 1) return;
        buffer = buffer.subarray(length + 1);
        if (type === 'Q') {
          socket.write(Buffer.concat([message('C', Buffer.from('SELECT 0\0')), message('Z', Buffer.from('I'))]));
        } else if (type === 'X') {
          this.emit('terminate');
          setTimeout(() => socket.end(), this.holdAfterTerminateMs);
          return;
        }
      }
    });
  }
}

function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer;
}

function message(type: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(type), int32(body.length + 4), body]);
}
