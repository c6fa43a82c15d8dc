import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GridstreamNagChecks } from '../../infra/lib/compliance.js';
import { removeSynthOutputs, type SynthesizedApp, synthApp } from './synthApp.js';

const MSK_SOURCE = {
  'gridstream.msk.enabled': 'true',
  'gridstream.firehose.source': 'MSK',
  'gridstream.firehose.transformLambda': 'false',
  'gridstream.producers.pollers': 'false',
  'gridstream.producers.fargate': 'false',
  'gridstream.redshift.enabled': 'false',
  'gridstream.msk.consumerGroups': 'gridstream-delivery',
};
let serverless: SynthesizedApp;
let provisioned: SynthesizedApp;
beforeAll(() => {
  serverless = synthApp({ env: 'msk', ...MSK_SOURCE });
  provisioned = synthApp({ env: 'mskp', ...MSK_SOURCE, 'gridstream.msk.mode': 'PROVISIONED' });
});
afterAll(removeSynthOutputs);

describe('smoke', () => {
  it('nag', () => {
    for (const app of [serverless, provisioned]) {
      const report = new GridstreamNagChecks(app.app).validateScope(app.app);
      expect(
        report.violations.map(
          (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
        ),
      ).toEqual([]);
    }
  });
});
