import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePorts } from '@contextforge/testing';

/** A PostgreSQL server of the test's own, so that restarting it disturbs nothing else on the machine. */
export interface PrivatePostgres {
  /** A superuser URL of its `postgres` database. */
  url: string;
  /** `pg_ctl restart -m fast`: every connection is cut, as `pg_ctlcluster ... restart` does. */
  restart(): void;
  stop(): void;
}

/**
 * initdb + pg_ctl from the machine's PostgreSQL (Debian's /usr/lib/postgresql/<version>/bin), in a
 * temporary directory, on a free port, trust auth. PostgreSQL refuses to run as root: as root the
 * server runs as the `postgres` user (runuser).
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBin();
  const dir = mkdtempSync(join(tmpdir(), 'cf-private-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const [port] = await findFreePorts(1);
  const asServer = (command: string, args: string[]) => {
    const root = process.getuid?.() === 0;
    execFileSync(root ? 'runuser' : command, root ? ['-u', 'postgres', '--', command, ...args] : args, {
      stdio: 'pipe',
      timeout: 60_000,
    });
  };
  const ctl = (action: string, ...extra: string[]) =>
    asServer(join(bin, 'pg_ctl'), [
      action,
      '-D',
      data,
      '-w',
      '-l',
      join(dir, 'server.log'),
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      ...extra,
    ]);
  asServer(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
  ctl('start');
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: () => ctl('restart', '-m', 'fast'),
    stop: () => {
      try {
        ctl('stop', '-m', 'immediate');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const version = versions.find((entry) => existsSync(join(root, entry, 'bin', 'initdb')));
  if (!version) throw new Error(`no PostgreSQL server binaries under ${root} (Debian's postgresql package)`);
  return join(root, version, 'bin');
}
