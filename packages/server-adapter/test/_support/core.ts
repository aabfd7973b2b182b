// TEMPORARY until core's index exports createUploader.
export { createUploader } from '../../../core/src/uploader';
