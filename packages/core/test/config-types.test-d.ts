/**
 * The config's types, checked by tsc (vitest typecheck): the documented input type is exactly what the schema
 * accepts, and a field that does not exist fails to compile at every host-facing function.
 */
import type * as v from 'valibot';
import { describe, expectTypeOf, it } from 'vitest';
import { type BytedropConfigInput, type configSchema, createUploader, runDoctor } from '../src/index';
import { loadConfig } from '../src/node/index';

describe('BytedropConfigInput', () => {
  it('is exactly the schema input, so the JSDoc-ed interface cannot drift from the rules', () => {
    expectTypeOf<BytedropConfigInput>().toEqualTypeOf<v.InferInput<typeof configSchema>>();
  });

  it('is what createUploader, runDoctor and loadConfig take', () => {
    expectTypeOf(createUploader).parameter(0).toEqualTypeOf<BytedropConfigInput>();
    expectTypeOf(runDoctor).parameter(0).toEqualTypeOf<Partial<BytedropConfigInput>>();
    expectTypeOf(loadConfig).parameter(0).exclude<undefined>().toHaveProperty('overrides');
  });

  it('makes an unknown field, a wrong value and a missing bucket type errors', () => {
    // @ts-expect-error: 'publicUrl' is not a field ('publicBaseUrl' is)
    createUploader({ bucket: 'notes', publicUrl: 'https://cdn.example.com' });
    // @ts-expect-error: 'publicUrl' is not a field, for the doctor either
    runDoctor({ publicUrl: 'https://cdn.example.com' });
    // @ts-expect-error: 'loud' is no canned ACL
    createUploader({ bucket: 'notes', acl: 'loud' });
    // @ts-expect-error: the bucket is required
    createUploader({ endpoint: 'https://s3.example.com' });
    createUploader({ bucket: 'notes', publicBaseUrl: 'https://cdn.example.com', acl: 'public-read' });
  });
});
