'use strict';

// Preloaded into s3rver 3.7.1 (`node --require`) by the tests' S3rverFixture.
//
// CopyObject: s3rver reads x-amz-copy-source with decodeURI, which leaves '%2F' encoded, so the
// 'bucket%2Fkey' that AWSSDK.S3 4.x sends (valid for S3, which decodes the whole value) is taken as a
// bucket name and fails with NoSuchBucket. Decoding '%2F' too makes s3rver read it as S3 does.
const decodeUriKeepingSlashes = globalThis.decodeURI;
globalThis.decodeURI = value => decodeUriKeepingSlashes(String(value).replace(/%2F/gi, '/'));
