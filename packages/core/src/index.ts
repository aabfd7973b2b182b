export type { BytedropConfig } from './config';
export {
  CANNED_ACLS,
  CONFIG_FIELDS,
  configSchema,
  DEFAULT_PART_SIZE,
  MIN_PART_SIZE,
  parseConfig,
} from './config';
export { configFromEnv } from './config-env';
export type { BytedropConfigInput, CannedAcl } from './config-input';
export type { BucketCheck, DoctorCheck, DoctorCheckId, DoctorOptions, DoctorReport } from './doctor';
export {
  checkBucket,
  checkClockSkew,
  checkCredentials,
  checkEndpoint,
  checkPublicUrl,
  runDoctor,
} from './doctor';
export type { CanvasPlatform } from './encoders/canvas';
export { canEncode, createCanvasEncoder } from './encoders/canvas';
export type { ErrorContext } from './error-mapping';
export { toBytedropError } from './error-mapping';
export type { ErrorCode } from './errors';
export { BytedropError, ERROR_CODES, FINAL_ERROR_CODES, isBytedropError } from './errors';
export type { SanitizedFilename } from './filename';
export { MAX_NAME_BYTES, sanitizeFilename } from './filename';
export type { Crc32, HashBackend, Hasher, HashOptions } from './hash';
export { createCrc32, createHasher, hashBody, shortHash } from './hash';
export type {
  CachedConversion,
  ConversionCache,
  ConversionSkipped,
  ConvertedFrom,
  ConvertOption,
  EncodeRequest,
  ImageConversion,
  ImageEncoder,
  ImageFormat,
} from './image-encoder';
export { DEFAULT_MAX_PIXELS, unconvertedReason } from './image-encoder';
export type { ImageSize, MetadataKept, MetadataKind, StrippedImage } from './images';
export { canStripMetadata, readImageSize, STRIP_MAX_BYTES, stripMetadata } from './images';
export type { JournalEntry, ResumeRecord, UploadJournal } from './journal';
export { awaitsResume, createMemoryJournal, RESUME_WINDOW, TEMP_KEY_PREFIX } from './journal';
export type { LinkOptions, LinkSource } from './links';
export { displaySize, formatLink, publicUrl } from './links';
export type { FindLinksOptions, MarkdownLink } from './markdown-links';
export { findLinks } from './markdown-links';
export type { PartBuffer } from './part-buffer';
export { createPartBuffer } from './part-buffer';
export type {
  FinishedUpload,
  FinishOptions,
  NewPendingUpload,
  PendingHost,
  PendingJournal,
  PendingStorage,
  PendingUpload,
  UnreadableEntry,
  UploadedFile,
} from './pending-uploads';
export { createPendingJournal, finishPendingUpload, verifyUpload } from './pending-uploads';
export type { PresignOptions } from './presign';
export { MAX_PRESIGN_SECONDS, presignGet } from './presign';
export type { ProviderPreset, ProviderSettings } from './providers';
export {
  checkHttpUrl,
  defaultRegion,
  inferProvider,
  PROVIDER_NAMES,
  PROVIDERS,
  resolveProvider,
  urlProblem,
} from './providers';
export { attachmentDisposition, isActiveType, isInertType, servedHeaders } from './served';
export type { TusSizeOption, TusSizeProblem, TusSizeRange } from './server-tus-sizes';
export {
  describeTusSizeProblem,
  TUS_SIZE_RANGES,
  TusSizeError,
  tusSizeProblem,
  tusSizeReason,
  tusSizesFromMiB,
} from './server-tus-sizes';
export type { ServerUploader, ServerUploaderOptions, ServerUploadResult } from './server-uploader';
export { createServerUploader } from './server-uploader';
export { SNIFF_BYTES, sniffContentType, typeMatches } from './sniff';
export type { ListedObject } from './stores/_s3-list';
export { listObjects } from './stores/_s3-list';
export type { PendingAbort, S3Store, S3StoreOptions } from './stores/s3';
export { createS3Store } from './stores/s3';
export type { ListedS3Part, S3Part, S3Parts } from './stores/s3-parts';
export { createS3Parts } from './stores/s3-parts';
export type { RetryPolicy } from './stores/s3-retry';
export { createRetryStrategy, DEFAULT_RETRY_POLICY } from './stores/s3-retry';
export type { KeyContext, KeyTemplate } from './template';
export {
  CALLER_VARIABLES,
  compileKeyTemplate,
  DEFAULT_KEY_TEMPLATE,
  KEY_VARIABLES,
  MAX_KEY_BYTES,
} from './template';
export type {
  BodyInput,
  CopyOptions,
  HashAlgorithm,
  ImageFacts,
  LinkFormat,
  ObjectMeta,
  ObjectStore,
  PreparedUpload,
  PreparedUploadOptions,
  PreparingUploader,
  ProviderName,
  PutOptions,
  PutResult,
  ReplayableBody,
  ResumableUpload,
  ResumeOptions,
  StoredObject,
  SweepReport,
  Uploader,
  UploadOptions,
  UploadProgress,
  UploadResult,
} from './types';
export type { BytedropUploader, CreateUploaderOptions } from './uploader';
export { canPrepare, createUploader, IMMUTABLE_CACHE_CONTROL } from './uploader';
