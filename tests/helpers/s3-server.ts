// The SDK warns once per process that its 2027 releases will need Node 22; tests run on Node 20 on purpose.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export { S3_TEST_KEYS, startS3Server } from '../../src/devservers/local-s3.js';
