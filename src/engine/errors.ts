/** Exit statuses, as the CLI contract fixes them. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/**
 * An error meant for the person at the terminal: the message already names the file,
 * line, target or key and says what to do, so the CLI prints it without a stack trace.
 */
export class QuantoError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
  ) {
    super(message);
    this.name = 'QuantoError';
  }
}

/** Bad pipeline, bad config, bad label, bad flag: exit status 2. */
export class ConfigError extends QuantoError {
  constructor(message: string) {
    super(message, EXIT_USAGE);
    this.name = 'ConfigError';
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
