/** `_load.ts` in core's Node builds (tsup.config.ts): each dependency loads on first use. */
export const loadS3Commands = () => import('./stores/_s3-commands');
export const loadUpload = () => import('./stores/_s3-upload');
export const loadPresigner = () => import('./_presigner');
export const loadSniffers = () => import('./_sniffers');
