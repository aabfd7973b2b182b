/**
 * `_load.ts` in core's Node builds (tsup.config.ts): each dependency loads on first use. Each load is kept: an
 * `import()` of a module already loaded still resolves its specifier again (a package.json read and a realpath
 * each time), which a sniff on every paste paid.
 */
let s3Commands: Promise<typeof import('./stores/_s3-commands')> | undefined;
let upload: Promise<typeof import('./stores/_s3-upload')> | undefined;
let presigner: Promise<typeof import('./_presigner')> | undefined;
let sniffers: Promise<typeof import('./_sniffers')> | undefined;

export const loadS3Commands = () => {
  s3Commands ??= import('./stores/_s3-commands');
  return s3Commands;
};
export const loadUpload = () => {
  upload ??= import('./stores/_s3-upload');
  return upload;
};
export const loadPresigner = () => {
  presigner ??= import('./_presigner');
  return presigner;
};
export const loadSniffers = () => {
  sniffers ??= import('./_sniffers');
  return sniffers;
};
