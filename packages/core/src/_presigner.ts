/** The presigner's `getSignedUrl`, named so that a bundler keeps only it: `presign.ts` loads this file on first use. */
export { getSignedUrl } from '@aws-sdk/s3-request-presigner';
