/**
 * The parts of the AWS SDK's S3 module that Bytedrop uses, named one by one: `_s3-sdk.ts` loads this file on first
 * use, and a bundler keeps only these exports of the SDK (a dynamic import of the SDK itself would keep them all).
 */
export {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
