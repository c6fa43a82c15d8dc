import { RemovalPolicy, type StackProps } from 'aws-cdk-lib';
import type { GridstreamConfig } from '../config/index.js';

/** Props every gridstream stack takes. */
export interface GridstreamStackProps extends StackProps {
  /** The resolved deployment configuration. */
  readonly config: GridstreamConfig;
}

/** The CDK removal policy for stateful resources under a configuration. */
export function removalPolicyOf(config: GridstreamConfig): RemovalPolicy {
  return config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
}
