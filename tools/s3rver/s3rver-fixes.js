'use strict';

// Preloaded into s3rver 3.7.1 (`node --require`) by the tests' S3rverFixture.
//
// CopyObject: s3rver reads x-amz-copy-source with decodeURI, which leaves '%2F' encoded, so the
// 'bucket%2Fkey' that AWSSDK.S3 4.x sends (valid for S3, which decodes the whole value) is taken as a
// bucket name and fails with NoSuchBucket; '%3D' stays encoded too, so keys such as year=2024/month=05/
// cannot be copied. s3rver uses decodeURI only there; decoding the whole value reads it as S3 does.
globalThis.decodeURI = value => decodeURIComponent(String(value));
