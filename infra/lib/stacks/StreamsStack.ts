import { Duration, Stack } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { DATASETS, type Dataset } from '../../../schemas/index.js';
import { acknowledge } from '../nag.js';
import { kinesisStreamName, resourcePrefix } from '../naming.js';
import { type GridstreamStackProps, removalPolicyOf } from './types.js';

/** One Kinesis data stream per dataset, encrypted with a customer-managed key. */
export class StreamsStack extends Stack {
  /** Key encrypting the streams (rotated yearly). Producers need encrypt, consumers decrypt. */
  public readonly streamKey: kms.Key;
  /** The stream of each dataset. */
  public readonly streams: { readonly [D in Dataset]: kinesis.Stream };

  public constructor(scope: Construct, id: string, props: GridstreamStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.streamKey = new kms.Key(this, 'StreamKey', {
      alias: `alias/${resourcePrefix(config.envName)}-streams`,
      description: `gridstream ${config.envName}: Kinesis data stream encryption`,
      enableKeyRotation: true,
      removalPolicy: removalPolicyOf(config),
    });
    const provisioned = config.streams.mode === 'PROVISIONED';
    const make = (dataset: Dataset) =>
      new kinesis.Stream(this, `${dataset[0]!.toUpperCase()}${dataset.slice(1)}Stream`, {
        streamName: kinesisStreamName(config.envName, dataset),
        streamMode: provisioned ? kinesis.StreamMode.PROVISIONED : kinesis.StreamMode.ON_DEMAND,
        ...(provisioned ? { shardCount: config.streams.shardCount } : {}),
        retentionPeriod: Duration.hours(config.streams.retentionHours),
        encryption: kinesis.StreamEncryption.KMS,
        encryptionKey: this.streamKey,
        removalPolicy: removalPolicyOf(config),
      });
    acknowledge(
      this,
      'AwsSolutions-KDS3',
      'The streams use a customer-managed key on purpose (rotation, key policy and CloudTrail under our control), not aws/kinesis.',
    );
    this.streams = Object.fromEntries(DATASETS.map((d) => [d, make(d)])) as StreamsStack['streams'];
  }
}
