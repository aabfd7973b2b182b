/**
 * How core gets the dependencies it needs only once it works, not at import: the SDK's S3 commands
 * (`stores/_s3-commands.ts`, a store's first request), lib-storage (its first put), the presigner (the first signed
 * link), file-type and mime (the first sniff).
 *
 * Here, for bundles made from source (Obsidian, core's browser build) and the tests, by static imports, which
 * esbuild tree-shakes (a lazily loaded SDK it keeps whole: +23 kB minified). Core's Node builds (tsup.config.ts) use
 * `_load.lazy.ts` instead, so that importing core does not evaluate them (about 300 ms of CPU, mostly the SDK).
 */
import * as presigner from './_presigner';
import * as sniffers from './_sniffers';
import * as s3Commands from './stores/_s3-commands';
import * as s3Upload from './stores/_s3-upload';

export const loadS3Commands = () => Promise.resolve(s3Commands);
export const loadUpload = () => Promise.resolve(s3Upload);
export const loadPresigner = () => Promise.resolve(presigner);
export const loadSniffers = () => Promise.resolve(sniffers);
