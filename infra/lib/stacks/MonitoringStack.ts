import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import {
  METRIC_NAMES,
  METRIC_SERVICES,
  METRICS_NAMESPACE,
  type MetricService,
  metricDimensions,
} from '../../../common/metrics.js';
import { DATASETS, type Dataset } from '../../../schemas/index.js';
import type { GridstreamConfig } from '../config/index.js';
import type { GridstreamFunction } from '../constructs/GridstreamFunction.js';
import { kinesisStreamName, resourcePrefix } from '../naming.js';
import { ALERT_DATASETS, type AlertsStack } from './AlertsStack.js';
import type { IngestionStack } from './IngestionStack.js';
import type { KafkaStack } from './KafkaStack.js';
import type { ProcessingStack } from './ProcessingStack.js';
import type { ProducersStack } from './ProducersStack.js';
import type { StreamsStack } from './StreamsStack.js';
import type { GridstreamStackProps } from './types.js';

/** Props of {@link MonitoringStack}. */
export interface MonitoringStackProps extends GridstreamStackProps {
  readonly alarmTopic: sns.ITopic;
  readonly streams: StreamsStack;
  readonly ingestion: IngestionStack;
  readonly alerts: AlertsStack;
  readonly processing: ProcessingStack;
  readonly producers?: ProducersStack;
  /**
   * The MSK cluster: consumer-lag alarms of `msk.consumerGroups` on the dataset topics.
   * @default none (no consumer-group alarms)
   */
  readonly kafka?: KafkaStack;
}

/**
 * The operations view: a dashboard and alarms on every stage, all notifying the alarm topic: Kinesis iterator
 * age, write throttling and PutRecords success rate; records the producers gave up on (their `Expired` and
 * `Failed`); Firehose data freshness, S3 delivery, format conversion and partition-limit failures,
 * transformation success and records it rejected; Lambda errors and the alert consumer's lag and dead
 * letters; Glue job failures (an EventBridge rule on Glue job state changes). With the MSK source: Firehose's
 * offset lag behind each topic, read backpressure and failed validation; with a cluster: the lag of each
 * configured consumer group on each dataset topic (`MaxOffsetLag`, and `EstimatedMaxTimeLag` on provisioned
 * clusters, whose Serverless name differs between AWS's pages). gridstream's own metrics are
 * read under the namespace, dimensions and names of common/metrics.ts, which their emitters use.
 */
export class MonitoringStack extends Stack {
  /** Every alarm. */
  public readonly alarms: cloudwatch.Alarm[] = [];
  /** The dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** The rule forwarding failed, timed-out and errored Glue job runs to the alarm topic. */
  public readonly glueFailureRule: events.Rule;

  public constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const { config, streams, ingestion, alerts, processing } = props;
    const prefix = resourcePrefix(config.envName);
    const notify = new actions.SnsAction(props.alarmTopic);
    const alarm = (
      alarmId: string,
      metric: cloudwatch.IMetric,
      threshold: number,
      comparisonOperator: cloudwatch.ComparisonOperator,
      description: string,
      evaluationPeriods = 1,
    ): cloudwatch.Alarm => {
      const a = new cloudwatch.Alarm(this, alarmId, {
        alarmName: `${prefix}-${alarmId}`,
        alarmDescription: description,
        metric,
        threshold,
        comparisonOperator,
        evaluationPeriods,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      a.addAlarmAction(notify);
      this.alarms.push(a);
      return a;
    };
    const GT = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
    const LT = cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD;
    const period = Duration.minutes(5);
    const m = config.monitoring;
    /** A metric one of gridstream's emitters writes for a dataset's stream. */
    const gridstreamMetric = (
      service: MetricService,
      metricName: string,
      dataset: Dataset,
      statistic = 'Sum',
    ): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { ...metricDimensions(service, dataset, kinesisStreamName(config.envName, dataset)) },
        statistic,
        period,
      });
    const produced = new Set(props.producers?.datasets ?? []);
    const alerted = new Set<Dataset>(ALERT_DATASETS);

    const widgets: cloudwatch.IWidget[][] = [];
    for (const dataset of DATASETS) {
      const stream = streams.streams[dataset];
      const delivery = ingestion.deliveryStreams[dataset];
      const iteratorAge = stream.metricGetRecordsIteratorAgeMilliseconds({ statistic: 'Maximum', period });
      const throttled = stream.metricWriteProvisionedThroughputExceeded({ statistic: 'Sum', period });
      const putSuccess = new cloudwatch.MathExpression({
        expression: 'IF(total > 0, ok / total, 1)',
        usingMetrics: {
          ok: stream.metricPutRecordsSuccessfulRecords({ statistic: 'Sum', period }),
          total: stream.metricPutRecordsTotalRecords({ statistic: 'Sum', period }),
        },
        label: `${dataset} PutRecords success ratio`,
        period,
      });
      const D = dataset.charAt(0).toUpperCase() + dataset.slice(1);
      alarm(
        `${D}IteratorAge`,
        iteratorAge,
        m.iteratorAgeMs,
        GT,
        `${dataset} stream readers are more than ${m.iteratorAgeMs} ms behind`,
        2,
      );
      alarm(
        `${D}WriteThrottles`,
        throttled,
        0,
        GT,
        `${dataset} stream throttles writes (add shards or use on-demand)`,
        2,
      );
      alarm(
        `${D}PutRecordsSuccess`,
        putSuccess,
        m.putRecordsSuccessRatio,
        LT,
        `${dataset} PutRecords success ratio below ${m.putRecordsSuccessRatio}`,
        2,
      );
      alarm(
        `${D}DataFreshness`,
        delivery.metricDataFreshness({ period }),
        m.dataFreshnessSeconds,
        GT,
        `${dataset} Firehose holds data older than ${m.dataFreshnessSeconds} s`,
      );
      alarm(
        `${D}DeliveryToS3`,
        delivery.metricDeliverySuccess({ period }),
        1,
        LT,
        `${dataset} Firehose S3 delivery failing`,
        2,
      );
      alarm(
        `${D}FormatConversion`,
        delivery.metricFailedConversionRecords({ period }),
        0,
        GT,
        `${dataset} records failed Parquet conversion (see errors/format-conversion-failed/ in the raw bucket)`,
      );
      if (delivery.sourceKind === 'msk') {
        alarm(
          `${D}KafkaOffsetLag`,
          delivery.metricKafkaOffsetLag({ period }),
          m.kafkaOffsetLag,
          GT,
          `${dataset} Firehose is more than ${m.kafkaOffsetLag} records behind its MSK topic`,
          2,
        );
        alarm(
          `${D}SourceBackpressured`,
          delivery.metricSourceBackpressured({ period }),
          0,
          GT,
          `${dataset} Firehose reads its MSK topic held back (per-partition read limit or slow delivery)`,
          3,
        );
        alarm(
          `${D}FailedValidation`,
          delivery.metricFailedValidationRecords({ period }),
          0,
          GT,
          `${dataset} MSK records failed Firehose's record validation`,
        );
      }
      alarm(
        `${D}PartitionLimit`,
        delivery.metricPartitionCountExceeded({ period }),
        0,
        GT,
        `${dataset} Firehose exceeded its active dynamic-partition limit`,
      );
      const producerLost = new cloudwatch.MathExpression({
        expression: 'expired + failed',
        usingMetrics: {
          expired: gridstreamMetric(METRIC_SERVICES.producer, METRIC_NAMES.producer.expired, dataset),
          failed: gridstreamMetric(METRIC_SERVICES.producer, METRIC_NAMES.producer.failed, dataset),
        },
        label: `${dataset} records producers gave up on`,
        period,
      });
      if (produced.has(dataset)) {
        alarm(
          `${D}ProducerRecordsLost`,
          producerLost,
          0,
          GT,
          `${dataset} producers gave up on records (expired or refused by Kinesis; see their reject file or log)`,
        );
      }
      const transformRejected = gridstreamMetric(
        METRIC_SERVICES.firehoseTransform,
        METRIC_NAMES.firehoseTransform.recordsRejected,
        dataset,
      );
      if (config.firehose.transformLambda) {
        alarm(
          `${D}Transformation`,
          delivery.metricProcessingSuccess({ period }),
          1,
          LT,
          `${dataset} Firehose transformation invocations failing`,
          2,
        );
        alarm(
          `${D}TransformationRejected`,
          transformRejected,
          0,
          GT,
          `${dataset} records failed the contract in the transformation (see errors/processing-failed/ and the function's log)`,
        );
      }
      widgets.push([
        new cloudwatch.GraphWidget({
          title: `${dataset}: records in (stream, Firehose)`,
          left: [
            stream.metricIncomingRecords({ statistic: 'Sum', period }),
            delivery.metricIncomingRecords({ period }),
          ],
          width: 6,
        }),
        delivery.sourceKind === 'msk'
          ? new cloudwatch.GraphWidget({
              title: `${dataset}: Firehose offset lag (records); source delay (ms)`,
              left: [delivery.metricKafkaOffsetLag({ period })],
              right: [delivery.metricSourceThrottledDelay({ period })],
              width: 6,
            })
          : new cloudwatch.GraphWidget({
              title: `${dataset}: iterator age, Firehose lag (ms)`,
              left: [iteratorAge, delivery.metricKinesisMillisBehindLatest({ period })],
              width: 6,
            }),
        new cloudwatch.GraphWidget({
          title: `${dataset}: PutRecords success, throttles`,
          left: [putSuccess],
          right: [throttled],
          width: 6,
        }),
        new cloudwatch.GraphWidget({
          title: `${dataset}: Firehose freshness (s), conversion failures`,
          left: [delivery.metricDataFreshness({ period })],
          right: [delivery.metricFailedConversionRecords({ period })],
          width: 6,
        }),
      ]);
      // gridstream's own metrics of the dataset, one namespace and one set of dimensions for every stage.
      const stages: cloudwatch.IWidget[] = [];
      if (produced.has(dataset)) {
        stages.push(
          new cloudwatch.GraphWidget({
            title: `${dataset}: producers (sent; given up on)`,
            left: [gridstreamMetric(METRIC_SERVICES.producer, METRIC_NAMES.producer.sent, dataset)],
            right: [producerLost],
            width: 8,
          }),
        );
      }
      if (config.firehose.transformLambda) {
        stages.push(
          new cloudwatch.GraphWidget({
            title: `${dataset}: transformation (valid; rejected)`,
            left: [
              gridstreamMetric(
                METRIC_SERVICES.firehoseTransform,
                METRIC_NAMES.firehoseTransform.recordsValid,
                dataset,
              ),
            ],
            right: [transformRejected],
            width: 8,
          }),
        );
      }
      if (alerted.has(dataset)) {
        const consumer = METRIC_NAMES.alertConsumer;
        stages.push(
          new cloudwatch.GraphWidget({
            title: `${dataset}: alert consumer (alerts published; invalid events)`,
            left: [gridstreamMetric(METRIC_SERVICES.alertConsumer, consumer.alertsPublished, dataset)],
            right: [gridstreamMetric(METRIC_SERVICES.alertConsumer, consumer.invalidEvents, dataset)],
            width: 8,
          }),
        );
      }
      if (stages.length > 0) widgets.push(stages);
    }

    if (props.kafka) this.addConsumerLag(config, props.kafka, alarm, widgets);

    const functions: [string, GridstreamFunction][] = [['AlertConsumer', alerts.consumer]];
    if (ingestion.transform) functions.push(['FirehoseTransform', ingestion.transform]);
    for (const [name, fn] of Object.entries(props.producers?.pollers ?? {}))
      functions.push([`${name}Poller`, fn]);
    for (const [name, fn] of functions) {
      alarm(
        `${name}Errors`,
        fn.function.metricErrors({ statistic: 'Sum', period }),
        0,
        GT,
        `${name} Lambda errors`,
      );
    }
    const consumerAge = new cloudwatch.Metric({
      namespace: 'AWS/Lambda',
      metricName: 'IteratorAge',
      dimensionsMap: { FunctionName: alerts.consumer.function.functionName },
      statistic: 'Maximum',
      period,
    });
    alarm(
      'AlertConsumerIteratorAge',
      consumerAge,
      m.iteratorAgeMs,
      GT,
      'The alert consumer is behind the streams',
      2,
    );
    alarm(
      'AlertConsumerDeadLetters',
      alerts.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period }),
      0,
      GT,
      'Kinesis records the alert consumer gave up on (the dead-letter queue holds their shard and sequence ranges)',
    );
    widgets.push([
      new cloudwatch.GraphWidget({
        title: 'Lambda errors',
        left: functions.map(([, fn]) => fn.function.metricErrors({ statistic: 'Sum', period })),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Alert consumer iterator age (ms)',
        left: [consumerAge],
        width: 12,
      }),
    ]);

    const jobNames = Object.values(processing.jobs).map((j) => j.name!);
    this.glueFailureRule = new events.Rule(this, 'GlueJobFailures', {
      ruleName: `${prefix}-glue-job-failures`,
      description: 'Notifies the alarm topic when a gridstream Glue job run fails, errors or times out',
      eventPattern: {
        source: ['aws.glue'],
        detailType: ['Glue Job State Change'],
        detail: { jobName: jobNames, state: ['FAILED', 'TIMEOUT', 'ERROR'] },
      },
      targets: [new targets.SnsTopic(props.alarmTopic)],
    });
    widgets.push([
      new cloudwatch.GraphWidget({
        title: 'Glue failed tasks',
        left: jobNames.map(
          (jobName) =>
            new cloudwatch.Metric({
              namespace: 'Glue',
              metricName: 'glue.driver.aggregate.numFailedTasks',
              dimensionsMap: { JobName: jobName, JobRunId: 'ALL', Type: 'count' },
              statistic: 'Sum',
              period: Duration.hours(1),
            }),
        ),
        width: 24,
      }),
    ]);

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: prefix, widgets });
  }

  /** Alarms and graphs on the lag of each configured consumer group on each dataset topic. */
  private addConsumerLag(
    config: GridstreamConfig,
    kafka: KafkaStack,
    alarm: (
      id: string,
      metric: cloudwatch.IMetric,
      threshold: number,
      op: cloudwatch.ComparisonOperator,
      description: string,
      evaluationPeriods?: number,
    ) => cloudwatch.Alarm,
    widgets: cloudwatch.IWidget[][],
  ): void {
    const m = config.monitoring;
    const period = Duration.minutes(5);
    const GT = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
    const lag = (metricName: string, group: string, topic: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/Kafka',
        metricName,
        dimensionsMap: { 'Cluster Name': kafka.clusterName, 'Consumer Group': group, Topic: topic },
        statistic: 'Maximum',
        period,
      });
    const graphs: cloudwatch.IMetric[] = [];
    for (const [i, group] of config.msk.consumerGroups.entries()) {
      for (const dataset of DATASETS) {
        const topic = kafka.topics[dataset];
        const D = dataset.charAt(0).toUpperCase() + dataset.slice(1);
        const offsetLag = lag('MaxOffsetLag', group, topic);
        graphs.push(offsetLag);
        alarm(
          `${D}ConsumerGroup${i}OffsetLag`,
          offsetLag,
          m.kafkaOffsetLag,
          GT,
          `consumer group ${group} is more than ${m.kafkaOffsetLag} records behind on topic ${topic} (a partition's MaxOffsetLag)`,
          2,
        );
        if (config.msk.mode === 'PROVISIONED') {
          alarm(
            `${D}ConsumerGroup${i}TimeLag`,
            lag('EstimatedMaxTimeLag', group, topic),
            m.kafkaTimeLagSeconds,
            GT,
            `consumer group ${group} is more than ${m.kafkaTimeLagSeconds} s behind on topic ${topic} (EstimatedMaxTimeLag)`,
            2,
          );
        }
      }
    }
    if (graphs.length > 0) {
      widgets.push([
        new cloudwatch.GraphWidget({
          title: `MSK consumer groups: MaxOffsetLag per topic (${kafka.clusterName})`,
          left: graphs,
          width: 24,
        }),
      ]);
    }
  }
}
