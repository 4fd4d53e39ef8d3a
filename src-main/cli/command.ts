/** A `clipwb` subcommand. Commands are loaded lazily so `clipwb --help` does not load TensorFlow.js. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}

export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<Command>;
}
