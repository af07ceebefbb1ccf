import { PrismaTaskRepository, createTaskRepository, startEmbeddedPostgres } from '../src';

jest.setTimeout(120_000);

it('fails connect() with SERVICE_UNAVAILABLE when the database cannot be reached', async () => {
  const repository = createTaskRepository('postgresql://postgres@127.0.0.1:1/test');
  await expect(repository.connect()).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true });
  await repository.close();
});

it('fails connect() with SERVICE_UNAVAILABLE when migrations are off and the database is unreachable', async () => {
  const repository = createTaskRepository('postgresql://postgres@127.0.0.1:1/test', { migrate: false });
  await expect(repository.connect()).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
});

it('answers SERVICE_UNAVAILABLE before connect() and after close()', async () => {
  const repository = createTaskRepository('memory://');
  await expect(repository.getTask('x')).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  await repository.connect();
  await repository.close();
  await expect(repository.countByStatus()).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
});

it('translates a database that goes away mid-session into SERVICE_UNAVAILABLE', async () => {
  const server = await startEmbeddedPostgres();
  const repository = new PrismaTaskRepository({ database: { url: server.url }, poolSize: 1 });
  try {
    await repository.connect();
    expect((await repository.countByStatus()).queued).toBe(0);
    await server.close();

    await expect(repository.countByStatus()).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    await expect(repository.applyEvents([])).resolves.toEqual([]);
  } finally {
    await repository.close();
    await server.close();
  }
});

it('rejects an unknown URL scheme and a bad schema name with CONFIG_INVALID', () => {
  expect(() => createTaskRepository('mysql://localhost/db')).toThrow(
    expect.objectContaining({ code: 'CONFIG_INVALID' }),
  );
  expect(() => createTaskRepository('postgres://localhost/db?schema=no-dashes')).toThrow(
    expect.objectContaining({ code: 'CONFIG_INVALID' }),
  );
});
