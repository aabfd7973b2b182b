import type { BuildOptions } from 'esbuild';

/** The production build options of main.js (see esbuild.config.mjs). */
export declare const options: BuildOptions;
