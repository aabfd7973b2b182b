/**
 * The content-type detectors `sniff.ts` loads on its first sniff, named so that a bundler keeps only these exports.
 * 'file-type/core' is the runtime-neutral entry: the package's main entry pulls in node:fs under Node conditions.
 */
export { fileTypeFromBuffer } from 'file-type/core';
export { default as mime } from 'mime/lite';
