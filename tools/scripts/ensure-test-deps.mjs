#!/usr/bin/env node
// Makes sure the machine has what `npm test` needs beyond node_modules: a few Debian packages and the
// local PostgreSQL and Redis. `npm test` runs it first. Run as root it installs the missing packages
// (apt-get) and starts the servers; run as anyone else it changes nothing and, when something is
// missing, stops naming the commands to run. `--dry-run` prints what it would do and does nothing.
//
// Usage: node tools/scripts/ensure-test-deps.mjs [--dry-run]
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The Debian packages the tests run, each with the file that shows it is installed and why. */
export const PACKAGES = [
  { name: 'kcat', file: 'kcat', why: "librdkafka's mock Kafka cluster for the messaging and system tests" },
  { name: 'cloc', file: 'cloc', why: "the analyzer tests compare their line counts with cloc's" },
  {
    name: 'prometheus',
    file: 'promtool',
    why: "promtool checks the apps' /metrics output and the alert rules",
  },
  {
    name: 'chromium',
    file: '/usr/bin/chromium',
    why: 'apps/dashboard-e2e drives the dashboard in it (npm never downloads one)',
  },
];

/**
 * The local servers the tests connect to: `probe` is answered as `reply` expects when the server is up,
 * `file` shows it is installed, `start()` is the command that starts it (null when there is nothing to
 * start) and `package` the Debian package that installs it (null when an install alone would not do).
 */
export const SERVICES = [
  {
    name: 'PostgreSQL',
    port: 5432,
    why: 'the integration and system tests use it (user postgres, trust auth, database test)',
    // SSLRequest: any PostgreSQL server answers it with one byte, S or N.
    probe: Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]),
    reply: (data) => data[0] === 0x53 || data[0] === 0x4e,
    file: 'pg_ctlcluster',
    start: () => {
      const versions = listDir('/etc/postgresql').sort((a, b) => Number(b) - Number(a));
      return versions.length > 0 ? ['pg_ctlcluster', versions[0], 'main', 'start'] : null;
    },
    // A fresh install has neither the trust auth nor the `test` database the tests use.
    package: null,
  },
  {
    name: 'Redis',
    port: 6379,
    why: "the bench's smoke run compares with BullMQ on it",
    probe: Buffer.from('PING\r\n'),
    reply: (data) => data.toString('latin1').startsWith('+PONG'),
    file: 'redis-server',
    start: () => [
      'redis-server',
      ...['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', '6379', '--save', '', '--appendonly', 'no'],
    ],
    package: 'redis-server',
  },
];

/** An absolute path is executable, or a command name is an executable file on PATH. */
export function isInstalled(file, path = process.env.PATH ?? '') {
  const candidates = isAbsolute(file)
    ? [file]
    : path
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, file));
  return candidates.some((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Whether a server on 127.0.0.1:`port` answers `probe` the way `reply` expects, within a second. */
export function answers({ port, probe, reply }) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (up) => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write(probe));
    socket.once('data', (data) => done(reply(data)));
  });
}

/** What is missing: the packages not installed and the servers not answering. */
export async function survey({ installed = isInstalled, up = answers } = {}) {
  const packages = PACKAGES.filter((pkg) => !installed(pkg.file));
  const services = [];
  for (const service of SERVICES) {
    if (!(await up(service))) services.push({ ...service, installed: installed(service.file) });
  }
  return { packages, services };
}

/**
 * What to do about it: the packages to install (with a server's own when it is not installed), the
 * servers to start with their commands, and what nothing here can fix.
 */
export function plan({ packages, services }) {
  const install = packages.map(({ name, why }) => ({ name, why }));
  const start = [];
  const problems = [];
  for (const service of services) {
    const command = service.installed ? service.start() : service.package && service.start();
    if (!service.installed && service.package)
      install.push({ name: service.package, why: `the ${service.name} server` });
    if (command) start.push({ service, command });
    else
      problems.push(
        `${service.name} does not answer on 127.0.0.1:${service.port} and none is set up here to start: ${service.why}`,
      );
  }
  return { install, start, problems };
}

/** The message for a user who is not root (or a problem): what is missing and the commands that fix it. */
export function instructions({ install, start, problems }) {
  const lines = ['ensure-test-deps: npm test needs what this machine lacks:'];
  for (const pkg of install) lines.push(`  Debian package ${pkg.name}: ${pkg.why}`);
  for (const { service } of start)
    lines.push(`  ${service.name} answering on 127.0.0.1:${service.port}: ${service.why}`);
  for (const problem of problems) lines.push(`  ${problem}`);
  if (install.length > 0 || start.length > 0) {
    lines.push('Run, then npm test again:');
    if (install.length > 0)
      lines.push(
        `  sudo apt-get update && sudo apt-get install -y ${install.map((pkg) => pkg.name).join(' ')}`,
      );
    for (const { command } of start) lines.push(`  sudo ${command.map(shellWord).join(' ')}`);
  }
  return lines.join('\n');
}

async function main() {
  const dryRun = process.argv.includes('--dry-run');
  const todo = plan(await survey());
  if (todo.install.length === 0 && todo.start.length === 0 && todo.problems.length === 0) {
    console.log('ensure-test-deps: kcat, cloc, promtool, chromium, PostgreSQL and Redis are all there');
    return 0;
  }
  if (process.getuid?.() !== 0 || todo.problems.length > 0) {
    console.error(instructions(todo));
    return 1;
  }
  if (todo.install.length > 0) {
    const list = todo.install.map((pkg) => `${pkg.name} (${pkg.why})`).join('; ');
    console.log(`ensure-test-deps: installing with apt-get what the tests need: ${list}`);
    run(['apt-get', 'update', '-qq'], dryRun);
    const names = todo.install.map((pkg) => pkg.name);
    run(['apt-get', 'install', '-y', '-qq', ...names], dryRun, { DEBIAN_FRONTEND: 'noninteractive' });
  }
  for (const { service, command } of todo.start) {
    if (!dryRun && (await answers(service))) continue; // its package's install started it
    console.log(
      `ensure-test-deps: starting ${service.name}, which does not answer on 127.0.0.1:${service.port}`,
    );
    run(command, dryRun);
    if (!dryRun && !(await waitFor(service))) {
      console.error(`ensure-test-deps: ${service.name} still does not answer on 127.0.0.1:${service.port}`);
      return 1;
    }
  }
  return 0;
}

function run(command, dryRun, env = {}) {
  const shown = [...Object.entries(env).map(([key, value]) => `${key}=${value}`), ...command].map(shellWord);
  if (dryRun) {
    console.log(`ensure-test-deps: would run: ${shown.join(' ')}`);
    return;
  }
  const [file, ...args] = command;
  const result = spawnSync(file, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', file === 'apt-get' ? 'ignore' : 'inherit', 'inherit'],
  });
  if (result.status !== 0) {
    console.error(
      `ensure-test-deps: ${shown.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`})`,
    );
    process.exit(1);
  }
}

async function waitFor(service) {
  for (let attempt = 0; attempt < 30; attempt++) {
    if (await answers(service)) return true;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return false;
}

function shellWord(word) {
  return /^[\w./:=@-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

function listDir(dir) {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = await main();
