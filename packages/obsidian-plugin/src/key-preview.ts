/** The live preview under "Key template": the key a sample paste would get, or why the template is invalid. */
import { CALLER_VARIABLES, compileKeyTemplate, DEFAULT_KEY_TEMPLATE } from '@bytedrop/core';
import { inObsidianTerms } from './wording';

/** A sample upload for the live key preview. */
const SAMPLE = {
  filename: 'Pasted image 20240131093015.png',
  ext: 'png',
  contentType: 'image/png',
  hash: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  vars: { note: 'Trip to Lisbon', folder: 'Journal/2024' },
};

/**
 * The key the template gives the sample upload and the key it would take instead if another file held that one
 * (core never replaces it), or the template's error.
 */
export function previewKey(
  template: string,
  date = new Date(),
): { key?: string; onClash?: string; error?: string } {
  try {
    const compiled = compileKeyTemplate(template.trim() || DEFAULT_KEY_TEMPLATE, {
      variables: CALLER_VARIABLES,
    });
    const keys = compiled.candidates({ ...SAMPLE, date });
    return { key: keys(0), onClash: keys(1) };
  } catch (error) {
    return { error: inObsidianTerms(error instanceof Error ? error.message : String(error)) };
  }
}
