/**
 * Group commit of the uploads' records (`_record-batch.ts`): requests finishing together are written in one
 * `recordMany`, each answered once its own records are in, and a failed batch is retried request by request.
 */
import { describe, expect, it } from 'vitest';
import { batchRecords } from '../src/_record-batch';
import type { Catalog, FileRecord } from '../src/catalog/types';

const record = (key: string): FileRecord => ({
  key,
  owner: 'alice',
  filename: key,
  size: 1,
  hash: 'sha256:00',
  contentType: 'image/png',
  width: null,
  height: null,
  createdAt: new Date(0),
  requestId: key,
  deleteToken: 'issued',
});

/** A catalog whose `recordMany` notes each call's keys and refuses any call that has `refused` among them. */
function catalog(refused?: string) {
  const calls: string[][] = [];
  let release: (() => void) | undefined;
  const fake = {
    async recordMany(records: readonly FileRecord[]) {
      const keys = records.map((r) => r.key);
      calls.push(keys);
      if (keys[0] === 'slow') await new Promise<void>((resolve) => (release = resolve));
      if (refused && keys.includes(refused)) throw new Error(`refused ${refused}`);
      return records.length;
    },
  } as unknown as Catalog;
  return { fake, calls, release: () => release?.() };
}

describe('batchRecords', () => {
  it('writes the records of requests finishing in the same turn in one call', async () => {
    const { fake, calls } = catalog();
    const record1 = batchRecords(fake);
    await Promise.all([record1([record('a'), record('b')]), record1([record('c')]), record1([record('d')])]);
    expect(calls).toEqual([['a', 'b', 'c', 'd']]);
  });

  it('gathers the requests that come while a batch is written into the next one', async () => {
    const { fake, calls, release } = catalog();
    const write = batchRecords(fake);
    const first = write([record('slow')]);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [write([record('x')]), write([record('y')])];
    release();
    await Promise.all([first, ...later]);
    expect(calls).toEqual([['slow'], ['x', 'y']]);
  });

  it('retries a failed batch request by request: only the request that fails is refused', async () => {
    const { fake, calls } = catalog('bad');
    const write = batchRecords(fake);
    const results = await Promise.allSettled([
      write([record('a')]),
      write([record('bad')]),
      write([record('c')]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(calls).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
  });

  it('takes a catalog that throws instead of rejecting as that batch’s failure, and goes on writing', async () => {
    const calls: string[][] = [];
    const throwing = {
      recordMany(records: readonly FileRecord[]) {
        const keys = records.map((r) => r.key);
        calls.push(keys);
        if (keys.includes('bad')) throw new Error('refused bad');
        return Promise.resolve(records.length);
      },
    } as unknown as Catalog;
    const write = batchRecords(throwing);
    const results = await Promise.allSettled([write([record('a')]), write([record('bad')])]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    await write([record('later')]);
    expect(calls).toEqual([['a', 'bad'], ['a'], ['bad'], ['later']]);
  });

  it('keeps a batch to 500 rows, a request whole', async () => {
    const { fake, calls } = catalog();
    const write = batchRecords(fake);
    const many = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => record(`${prefix}${i}`));
    await Promise.all([write(many('a', 300)), write(many('b', 300)), write(many('c', 600))]);
    expect(calls.map((keys) => keys.length)).toEqual([300, 300, 600]);
  });
});
