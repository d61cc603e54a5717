/** How a host talks to a person: results on stdout, progress and notes on stderr (the CLI's console). */
export interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
  isTTY: boolean;
}
