export type { AccessKey, Keyring } from './auth';
export { createKeyring, parseKeysFile, presentedKey } from './auth';
export type { BanPolicy, BanStore, Guess, MemoryBans, Reservation } from './bans';
export { createMemoryBans } from './bans';
export type { HashedKey, KeyRecord, KeySource, KeyStore, KeySyncReport, Scope } from './catalog/keys';
export { SCOPES } from './catalog/keys';
export type {
  Catalog,
  DeleteTokenState,
  FilePage,
  FileQuery,
  FileRecord,
  PagePosition,
  Usage,
} from './catalog/types';
export type { UploadKind, UploadRecord, UploadStore } from './catalog/uploads';
export type { TrustProxy } from './client-address';
export { banKey, clientAddress, isLoopbackAddress, parseTrustProxy } from './client-address';
export type { DeleteTokens } from './delete-token';
export { createDeleteTokens, MIN_SECRET_LENGTH } from './delete-token';
export type { FileReader } from './files';
export type {
  BytedropHandler,
  HandlerOptions,
  Logger,
  RequestContext,
  UploadedFile,
} from './handler';
export { createHandler } from './handler';
export type { JwtOptions, JwtVerifier } from './jwt';
export { createJwtVerifier } from './jwt';
export type { ServerMetrics, StoredFileMetric } from './metrics';
export type { RateLimits, RateLimitsOptions, UploadRates } from './rate-limits';
export { createRateLimits } from './rate-limits';
export { errorResponse, statusOf } from './response';
export type { ThumbnailOptions, ThumbnailSkipped, Thumbnails } from './thumbnails';
export { createThumbnails, isThumbnailKey, thumbnailKey } from './thumbnails';
export type { TusLocks } from './tus-locks';
export { createMemoryTusLocks } from './tus-locks';
export type { Appended, ChunkCheck, TusBackend, TusOptions, TusUpload } from './tus-store';
export type {
  WebhookEventType,
  WebhookFile,
  WebhookPayload,
  Webhooks,
  WebhooksOptions,
} from './webhooks';
export { createWebhooks } from './webhooks';
