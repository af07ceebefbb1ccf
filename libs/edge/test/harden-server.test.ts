import { createTestPki, waitFor, withTimeout } from '@contextforge/testing';
import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { TlsMaterial } from '@contextforge/tls';
import { createHardenedServer, hardenServer, type ServerLimits } from '../src';

const LIMITS: ServerLimits = {
  headersTimeout: 300,
  requestTimeout: 2_000,
  keepAliveTimeout: 1_000,
  maxHeaderSize: 1024,
  maxConnections: 50,
  maxConnectionsPerIp: 3,
};

const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    ),
  );
});

let handled = 0;
const app: RequestListener = (_req, res) => {
  handled += 1;
  res.end('ok');
};

async function listen(server: Server): Promise<number> {
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** A raw client socket that records everything it receives; `closed` resolves with that text. */
async function rawSocket(
  port: number,
): Promise<{ socket: Socket; received: () => string; closed: Promise<string> }> {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (text += chunk));
  socket.on('error', () => undefined);
  const closed = once(socket, 'close').then(() => text);
  await once(socket, 'connect');
  return { socket, received: () => text, closed };
}

async function request(port: number): Promise<string> {
  const { socket, closed } = await rawSocket(port);
  socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  return withTimeout(closed, 5_000, 'the response');
}

describe('createHardenedServer', () => {
  beforeEach(() => {
    handled = 0;
  });

  it('answers a normal request', async () => {
    const port = await listen(createHardenedServer(app, LIMITS));
    await expect(request(port)).resolves.toMatch(/^HTTP\/1\.1 200 OK/);
  });

  it('closes a slow-loris connection whose headers trickle in slower than headersTimeout with 408', async () => {
    const port = await listen(createHardenedServer(app, LIMITS));
    const { socket, closed } = await rawSocket(port);
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
    // One more header line every 50 ms, never the blank line that ends them.
    const trickle = setInterval(() => socket.write(`X-Slow-${Date.now()}: 1\r\n`), 50);
    try {
      const text = await withTimeout(closed, 5_000, 'the server closing the slow connection');
      expect(text).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
    } finally {
      clearInterval(trickle);
    }
    expect(handled).toBe(0);
  });

  it('closes a request whose body does not arrive within requestTimeout with 408', async () => {
    const port = await listen(createHardenedServer(app, { ...LIMITS, requestTimeout: 400 }));
    const { socket, closed } = await rawSocket(port);
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{');
    const trickle = setInterval(() => socket.write(' '), 50);
    try {
      await expect(withTimeout(closed, 5_000, 'the server closing the slow body')).resolves.toMatch(
        /408 Request Timeout/,
      );
    } finally {
      clearInterval(trickle);
    }
  });

  it('answers headers larger than maxHeaderSize with 431 and closes', async () => {
    const port = await listen(createHardenedServer(app, LIMITS));
    const { socket, closed } = await rawSocket(port);
    socket.write(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(2_048)}\r\n\r\n`);
    await expect(withTimeout(closed, 5_000, 'the 431 answer')).resolves.toMatch(
      /^HTTP\/1\.1 431 Request Header Fields Too Large/,
    );
    expect(handled).toBe(0);
  });

  it('destroys connections from one IP beyond maxConnectionsPerIp and keeps the others working', async () => {
    const port = await listen(createHardenedServer(app, LIMITS));
    const [first] = await Promise.all([rawSocket(port), rawSocket(port), rawSocket(port)]);
    const extra = await rawSocket(port);
    await expect(withTimeout(extra.closed, 5_000, 'the extra connection closing')).resolves.toBe('');
    first.socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await expect(withTimeout(first.closed, 5_000, 'the response')).resolves.toMatch(/^HTTP\/1\.1 200 OK/);
  });

  it('closes connections beyond maxConnections', async () => {
    const port = await listen(
      createHardenedServer(app, { ...LIMITS, maxConnections: 2, maxConnectionsPerIp: 0 }),
    );
    await Promise.all([rawSocket(port), rawSocket(port)]);
    const extra = await rawSocket(port);
    await expect(withTimeout(extra.closed, 5_000, 'the extra connection closing')).resolves.toBe('');
  });
});

describe('hardenServer', () => {
  it('counts connections per IP and frees a slot when one closes', async () => {
    const server = createServer(app);
    const limiter = hardenServer(server, { ...LIMITS, maxConnectionsPerIp: 1 });
    const port = await listen(server);
    const first = await rawSocket(port);
    const refused = await rawSocket(port);
    await withTimeout(refused.closed, 5_000, 'the second connection closing');
    expect(limiter.refused).toBe(1);
    expect(limiter.connectionsFrom('127.0.0.1') + limiter.connectionsFrom('::ffff:127.0.0.1')).toBe(1);

    first.socket.end();
    await withTimeout(first.closed, 5_000, 'the first connection closing');
    // The server's side of the close announces nothing a test can await.
    await waitFor(
      () => limiter.connectionsFrom('127.0.0.1') + limiter.connectionsFrom('::ffff:127.0.0.1') === 0,
      {
        label: 'the server to see the close',
      },
    );
    await expect(request(port)).resolves.toMatch(/^HTTP\/1\.1 200 OK/);
  });

  it('applies maxHeaderSize to a server created without it', async () => {
    const server = createServer(app);
    hardenServer(server, LIMITS);
    const port = await listen(server);
    const { socket, closed } = await rawSocket(port);
    socket.write(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(2_048)}\r\n\r\n`);
    await expect(withTimeout(closed, 5_000, 'the 431 answer')).resolves.toMatch(/431/);
  });

  it('refuses a server that already listens', async () => {
    const server = createServer(app);
    await listen(server);
    expect(() => hardenServer(server, LIMITS)).toThrow(/before the server listens/);
  });
});

describe('createHardenedServer with TLS', () => {
  it('serves HTTPS on the material, requiring a client certificate', async () => {
    const pki = await createTestPki();
    try {
      const ca = await pki.createCa('ca');
      const server = await ca.issue('server', { altNames: ['IP:127.0.0.1'], usage: 'server' });
      const client = await ca.issue('client', { usage: 'client' });
      const material = await TlsMaterial.load({
        certPath: server.certPath,
        keyPath: server.keyPath,
        caPath: ca.certPath,
        requireClientCert: true,
        reloadInterval: 0,
      });
      const port = await listen(createHardenedServer(app, LIMITS, material));
      const get = (options: object) =>
        new Promise<number>((resolve, reject) => {
          const req = httpsRequest(
            { host: '127.0.0.1', port, agent: false, ca: ca.cert, ...options },
            (res) => {
              res.resume();
              resolve(res.statusCode ?? 0);
            },
          );
          req.on('error', reject);
          req.end();
        });
      await expect(get({ cert: client.cert, key: client.key })).resolves.toBe(200);
      await expect(get({})).rejects.toThrow();
      material.close();
    } finally {
      await pki.remove();
    }
  });
});
