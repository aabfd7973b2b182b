/** Internal: the S3 client's commands, loaded on first use, so a server that never talks to S3 never loads them. */
let loaded: Promise<typeof import('@aws-sdk/client-s3')> | undefined;

/** `@aws-sdk/client-s3`, imported once. */
export const loadS3Sdk = () => (loaded ??= import('@aws-sdk/client-s3'));
