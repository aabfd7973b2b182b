export type {
  BucketCheck,
  DoctorCheck,
  DoctorCheckId,
  DoctorOptions,
  DoctorReport,
} from '../doctor';
export {
  checkBucket,
  checkClockSkew,
  checkCredentials,
  checkEndpoint,
  checkPublicUrl,
  runDoctor,
} from '../doctor';
export { CONFIG_FILE_NAME, findConfigFile, loadConfigFile } from './config-file';
export type { ConversionText } from './conversion';
export { conversionFromEnv, conversionFromText } from './conversion';
export type { DiskConversionCacheOptions } from './conversion-cache';
export { createDiskConversionCache, defaultConversionCacheDir } from './conversion-cache';
export { createSharpEncoder } from './encoders/sharp';
export type { UploadFileOptions } from './file';
export { openFile, uploadFile } from './file';
export { createFileJournal, defaultJournalDir } from './file-journal';
export type { ConfigLayers, LoadConfigOptions } from './load-config';
export { loadConfig, loadConfigLayers } from './load-config';
export type { DefaultLocalStoreOptions } from './local-default';
export { createDefaultLocalStore, hasS3Settings } from './local-default';
export type { LocalDiskStore, LocalDiskStoreOptions, LocalObject, ReadRange } from './stores/local-disk';
export { createLocalDiskStore } from './stores/local-disk';
