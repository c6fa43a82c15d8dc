/** The deployment configuration is invalid; every problem is listed, each naming the value received. */
export class ConfigError extends Error {
  /** One line per problem, e.g. `streams.shardCount must be an integer >= 1, got 0`. */
  public readonly problems: readonly string[];
  public constructor(problems: readonly string[], source?: string) {
    super(
      `invalid gridstream configuration${source ? ` (${source})` : ''}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
