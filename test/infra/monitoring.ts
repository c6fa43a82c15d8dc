import type { Template } from 'aws-cdk-lib/assertions';
import type { CfnJson } from './synthApp.js';

/** A metric an alarm or a dashboard widget reads. */
export interface MetricReference {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** AWS's own namespaces; anything else is a metric gridstream writes. */
const isAwsNamespace = (namespace: string): boolean => namespace.startsWith('AWS/') || namespace === 'Glue';

function reference(metric: CfnJson): MetricReference {
  return {
    namespace: metric.Namespace,
    name: metric.MetricName,
    dimensions: Object.fromEntries(
      (metric.Dimensions ?? []).map((d: { Name: string; Value: string }) => [d.Name, d.Value]),
    ),
  };
}

/**
 * The metrics outside AWS's namespaces each alarm reads (a single metric or a math expression's inputs),
 * by alarm name; alarms reading none are left out.
 *
 * @param template - the monitoring stack's template
 */
export function gridstreamAlarmMetrics(template: Template): Map<string, MetricReference[]> {
  const out = new Map<string, MetricReference[]>();
  for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
    const p = alarm.Properties;
    const refs: MetricReference[] = p.Namespace
      ? [reference(p)]
      : (p.Metrics ?? []).flatMap((m: CfnJson) => (m.MetricStat ? [reference(m.MetricStat.Metric)] : []));
    const own = refs.filter((r) => !isAwsNamespace(r.namespace));
    if (own.length > 0) out.set(p.AlarmName, own);
  }
  return out;
}

/**
 * The metrics outside AWS's namespaces the dashboard graphs. The body is a `Fn::Join` of JSON text and
 * tokens (region, imported names), all inside strings, so the tokens are replaced by a placeholder.
 *
 * @param template - the monitoring stack's template
 */
export function gridstreamDashboardMetrics(template: Template): MetricReference[] {
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  if (dashboard === undefined) throw new Error('the template has no CloudWatch dashboard');
  const body = dashboard.Properties.DashboardBody;
  const parts: unknown[] = typeof body === 'string' ? [body] : body['Fn::Join'][1];
  const text = parts.map((p) => (typeof p === 'string' ? p : 'TOKEN')).join('');
  const widgets: CfnJson[] = JSON.parse(text).widgets;
  const out: MetricReference[] = [];
  for (const w of widgets) {
    for (const m of (w.properties?.metrics ?? []) as unknown[][]) {
      // [namespace, name, dimension name, value, ..., {options}?]; math expressions are objects only.
      if (typeof m[0] !== 'string') continue;
      const [namespace, name, ...rest] = m as string[];
      const pairs = rest.filter((x) => typeof x === 'string');
      const dimensions: Record<string, string> = {};
      for (let i = 0; i + 1 < pairs.length; i += 2) dimensions[pairs[i]!] = pairs[i + 1]!;
      if (!isAwsNamespace(namespace!)) out.push({ namespace: namespace!, name: name!, dimensions });
    }
  }
  return out;
}
