import { createServer } from 'node:net';

/** True when nothing listens on `port` at 127.0.0.1. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/** A port the operating system says is free right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the address of a listening socket'));
      });
    });
  });
}

/** The first of `preferred` that is free, or any free port when none is. */
export async function choosePort(...preferred: (number | undefined)[]): Promise<number> {
  for (const port of preferred) {
    if (port !== undefined && (await isPortFree(port))) return port;
  }
  return freePort();
}
