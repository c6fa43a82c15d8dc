import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Alert } from '../stream-processors/alerts/index.js';
import { AlertPublishError } from './errors.js';

/** Sends one alert somewhere; injected into the alert consumer (SNS in AWS, a recording callback in tests). */
export type AlertPublisher = (alert: Alert) => Promise<void>;

/** The subset of an SNS client the publisher uses. */
export interface SnsLike {
  send(command: PublishCommand): Promise<unknown>;
}

/**
 * An {@link AlertPublisher} that publishes each alert as a JSON message to an SNS topic, with the
 * `kind`, `severity` and `dataset` message attributes subscribers filter on.
 *
 * @param topicArn - the alert topic
 * @param client - SNS client (standard AWS configuration by default)
 */
export function createSnsPublisher(topicArn: string, client: SnsLike = new SNSClient({})): AlertPublisher {
  return async (alert) => {
    try {
      await client.send(
        new PublishCommand({
          TopicArn: topicArn,
          Subject: alert.subject,
          Message: JSON.stringify(alert),
          MessageAttributes: {
            kind: { DataType: 'String', StringValue: alert.kind },
            severity: { DataType: 'String', StringValue: alert.severity },
            dataset: { DataType: 'String', StringValue: alert.dataset },
          },
        }),
      );
    } catch (err) {
      throw new AlertPublishError(
        `publishing ${alert.kind} alert for event ${alert.eventId} to ${topicArn} failed: ${(err as Error).message}`,
        err,
      );
    }
  };
}
