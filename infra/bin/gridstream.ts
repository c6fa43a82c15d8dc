// The CDK app: `npx cdk synth` / `npx cdk deploy --all` from the repository root (cdk.json runs this file).
// Environment-agnostic stacks: synth needs no AWS credentials. cdk-nag (AwsSolutions) runs on every synth.
import { createApp } from '../lib/app.js';

const { app } = createApp({ nag: true });
app.synth();
