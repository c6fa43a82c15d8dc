/** A construct was given props that AWS would reject; found at synth time, naming the value received. */
export class InfraValidationError extends Error {
  /** Path of the construct that rejected its props. */
  public readonly constructPath: string;
  public constructor(constructPath: string, message: string) {
    super(`${constructPath}: ${message}`);
    this.name = 'InfraValidationError';
    this.constructPath = constructPath;
  }
}
