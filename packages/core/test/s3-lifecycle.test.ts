import type { LifecycleRule } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { bytedropLifecycleRules, wholeBucketAbortRule } from '../src/s3-lifecycle';

const abort = { AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } };

describe('wholeBucketAbortRule', () => {
  // How providers answer a rule for the whole bucket: radosgw turns Filter { Prefix: '' } into the older top-level
  // Prefix '', AWS may answer an empty Filter or none at all.
  it.each<[string, LifecycleRule]>([
    ['a top-level empty Prefix (radosgw)', { ID: 'r', Status: 'Enabled', Prefix: '', ...abort }],
    ['an empty Filter', { ID: 'r', Status: 'Enabled', Filter: {}, ...abort }],
    ['no filter at all', { ID: 'r', Status: 'Enabled', ...abort }],
    ['Bytedrop’s own rule', bytedropLifecycleRules()[0]!],
  ])('finds one given as %s', (_label, rule) => {
    expect(wholeBucketAbortRule([rule])).toBe(rule);
  });

  it.each<[string, LifecycleRule]>([
    ['disabled', { ID: 'r', Status: 'Disabled', Filter: { Prefix: '' }, ...abort }],
    ['limited to a prefix', { ID: 'r', Status: 'Enabled', Filter: { Prefix: 'uploads/' }, ...abort }],
    ['limited by a legacy prefix', { ID: 'r', Status: 'Enabled', Prefix: 'uploads/', ...abort }],
    [
      'expiring objects only',
      { ID: 'r', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 1 } },
    ],
  ])('ignores a rule %s', (_label, rule) => {
    expect(wholeBucketAbortRule([rule])).toBeUndefined();
  });
});
