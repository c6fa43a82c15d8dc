import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Props of {@link LakeBucket}. */
export interface LakeBucketProps {
  /**
   * Key for SSE-KMS (with an S3 bucket key to cut KMS requests).
   * @default SSE-S3; only the access-log bucket uses it, since S3 server access logging cannot deliver to SSE-KMS buckets
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Bucket receiving this bucket's server access logs.
   * @default no access logging (the access-log bucket itself)
   */
  readonly accessLogsBucket?: s3.IBucket;
  /**
   * Key prefix of this bucket's access logs in the access-log bucket.
   * @default `<construct id>/`
   */
  readonly accessLogsPrefix?: string;
  /**
   * Lifecycle rules besides the ones every lake bucket gets (abort incomplete multipart uploads after 7 days,
   * expire non-current versions).
   * @default none
   */
  readonly lifecycleRules?: s3.LifecycleRule[];
  /**
   * Days after which non-current object versions expire.
   * @default 30
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * What happens to the bucket when the stack is deleted (a non-empty bucket is never deleted by CloudFormation).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * An S3 bucket with the lake's baseline: all public access blocked, ACLs disabled, TLS 1.2+ only, encrypted,
 * versioned, server access logging, incomplete multipart uploads aborted and old versions expired.
 */
export class LakeBucket extends Construct {
  /** The bucket. */
  public readonly bucket: s3.Bucket;

  public constructor(scope: Construct, id: string, props: LakeBucketProps = {}) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      ...(props.encryptionKey
        ? { encryption: s3.BucketEncryption.KMS, encryptionKey: props.encryptionKey, bucketKeyEnabled: true }
        : { encryption: s3.BucketEncryption.S3_MANAGED }),
      ...(props.accessLogsBucket
        ? {
            serverAccessLogsBucket: props.accessLogsBucket,
            serverAccessLogsPrefix: props.accessLogsPrefix ?? `${id}/`,
          }
        : {}),
      lifecycleRules: [
        {
          id: 'baseline',
          abortIncompleteMultipartUploadAfter: Duration.days(7),
          noncurrentVersionExpiration: Duration.days(props.noncurrentVersionExpirationDays ?? 30),
          expiredObjectDeleteMarker: true,
        },
        ...(props.lifecycleRules ?? []),
      ],
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }
}
