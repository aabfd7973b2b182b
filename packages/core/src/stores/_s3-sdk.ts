/**
 * The AWS SDK's S3 module, loaded on first use rather than at import: evaluating `@aws-sdk/client-s3` costs about
 * 200 ms of CPU, which every `import '@bytedrop/core'` (a CLI start, a server start, an editor's activation) paid
 * whether it talked to S3 or not (`_load.ts` says where it is really lazy).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { loadS3Commands } from '../_load';
import { BytedropError } from '../errors';
import type * as S3Sdk from './_s3-commands';

export type { S3Sdk };

let loading: Promise<typeof S3Sdk> | undefined;
let loaded: typeof S3Sdk | undefined;

/** The S3 module; the first call loads it, later ones share that load. */
export function s3Sdk(): Promise<typeof S3Sdk> {
  loading ??= loadS3Commands().then((sdk) => {
    loaded = sdk;
    return sdk;
  });
  return loading;
}

/** The S3 module if something already loaded it, for what must answer synchronously. */
export function loadedS3Sdk(): typeof S3Sdk | undefined {
  return loaded;
}

const READY = Symbol.for('bytedrop.readyClient');

/** An S3Client made on first use, once the SDK is loaded. */
export interface LazyClient {
  /** The client itself once the SDK is loaded, else a stand-in whose `send` waits for it (see `lazyClient`). */
  current(): S3Client;
  /** The client, loading the SDK first when needed. */
  ready(): Promise<S3Client>;
}

/**
 * Defers `build` until the SDK is loaded. Before that, `current()` is a stand-in whose `send` (all that Bytedrop's
 * own helpers and most callers use) loads the SDK and sends through the real client; other properties (`config`,
 * `middlewareStack`) exist only on the real client, so asking the stand-in for them throws a reason and the fix.
 */
export function lazyClient(build: (sdk: typeof S3Sdk) => S3Client): LazyClient {
  let client: S3Client | undefined;
  const ready = async () => {
    client ??= build(await s3Sdk());
    return client;
  };
  const own: Record<PropertyKey, unknown> = {
    send: async (...args: Parameters<S3Client['send']>) => (await ready()).send(...args),
    destroy: () => client?.destroy(),
    [READY]: ready,
  };
  const standIn = new Proxy(own, {
    get(target, property) {
      if (property in target) return target[property];
      if (client) return Reflect.get(client, property);
      // Not thenable, and inspectable, like any object.
      if (typeof property === 'symbol' || property === 'then') return undefined;
      throw new BytedropError(
        'ERR_CONFIG',
        `store.client.${property} is not available until the S3 SDK has loaded, on the store's first request: await one first (e.g. store.check()), or pass your own S3Client as the 'client' option`,
      );
    },
  }) as unknown as S3Client;
  return {
    current: () => {
      if (!client && loaded) client = build(loaded);
      return client ?? standIn;
    },
    ready,
  };
}

/** The real client behind `client`, which may be a `lazyClient` stand-in (for what needs its config, like signing). */
export function readyClient(client: S3Client): Promise<S3Client> {
  const ready = (client as unknown as { [READY]?: () => Promise<S3Client> })[READY];
  return ready ? ready() : Promise.resolve(client);
}
