/**
 * The structure cache (store.ts) is keyed by SQLite's change counters, so a
 * write by one process is seen by the very next read of another process that
 * shares the data directory, however warm its cache.
 */
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { Api, odbcInput } from './helpers';

let writer: EmulatorProcess;
let reader: EmulatorProcess;
beforeAll(async () => {
  writer = await startEmulatorProcess();
  reader = await startEmulatorProcess({ dataDir: writer.dataDir });
});
afterAll(async () => {
  await reader?.stop();
  await writer?.stop();
});

test("GIVEN a warm cache in process B WHEN process A writes THEN B's next read shows it, every time", async () => {
  const write = new Api(writer.url);
  const read = new Api(reader.url);
  const created = await write.create(odbcInput('cache_probe'));
  for (let i = 0; i < 25; i++) {
    // warm B's cache with two reads, then change the input through A
    await read.nodes();
    await read.nodes();
    const res = await write.request('PUT', `inputs/${created.id}`, {
      ...created,
      configuration: { ...created.configuration, batch_size: 1000 + i },
    });
    expect(res.status).toBe(200);
    const seen = (await read.nodes()).find((n) => n.id === created.id)!;
    expect({ round: i, batch: seen.configuration.batch_size }).toEqual({
      round: i,
      batch: 1000 + i,
    });
  }
  // and a create and a delete, the same way
  await read.nodes();
  const other = await write.create(odbcInput('cache_probe_2'));
  expect((await read.nodes()).some((n) => n.id === other.id)).toBe(true);
  await write.request('POST', `plumbing/nodes/remove/${other.id}`, {});
  expect((await read.nodes()).some((n) => n.id === other.id)).toBe(false);
});
