// The environment points the AWS SDK at a CA bundle; on plain-http loopback (s3rver) it only gets in the way.
delete process.env.AWS_CA_BUNDLE;
// The secret fallbacks are the user's environment, not the tests': each test sets what it needs.
delete process.env.BYTEDROP_SECRET_ACCESS_KEY;
delete process.env.BYTEDROP_SERVER_ACCESS_KEY;
