import { METRICS_NAMESPACE } from '../../common/metrics.js';
import type { DeliveryMetric } from './types.js';

/**
 * Formats a metric as one CloudWatch Embedded Metric Format line, the format Powertools Metrics
 * and the CloudWatch agent use, so a metrics file from a local run can be shipped as-is. Its dimensions
 * (`Service`, `Dataset`, `Stream`) are the producers' and the Lambdas' (common/metrics.ts).
 *
 * @param metric - the data point
 * @param namespace - CloudWatch namespace; @default `Gridstream`
 */
export function toEmfLine(metric: DeliveryMetric, namespace: string = METRICS_NAMESPACE): string {
  return JSON.stringify({
    _aws: {
      Timestamp: metric.timestamp,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [Object.keys(metric.dimensions)],
          Metrics: [{ Name: metric.name, Unit: metric.unit }],
        },
      ],
    },
    ...metric.dimensions,
    [metric.name]: metric.value,
  });
}
