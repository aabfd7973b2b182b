/** lib-storage's `Upload`, named so that a bundler keeps only it: `stores/s3.ts` loads this file on the first put. */
export { Upload } from '@aws-sdk/lib-storage';
