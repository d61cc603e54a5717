/** Questions on a terminal: `init`'s, and `deploy`'s offer to bootstrap. */
import { createInterface } from 'node:readline/promises';
import { Interrupted } from './command';

/** Asks one question and gives the answer, or the default for an empty one. */
export type Ask = (question: string, defaultValue: string) => Promise<string>;

/** Questions on a terminal (node:readline); undefined when stdin is not one: then nothing is asked. */
export function terminalAsk(): { ask: Ask; close: () => void } | undefined {
  if (!process.stdin.isTTY) return undefined;
  return questionsOn(process.stdin, process.stdout);
}

/** Questions read from `input` as a terminal; Ctrl-C at one is `Interrupted`. */
export function questionsOn(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
): { ask: Ask; close: () => void } {
  const rl = createInterface({ input, output, terminal: true });
  return {
    ask: async (question, defaultValue) => {
      try {
        return (await rl.question(`${question} [${defaultValue}]: `)).trim() || defaultValue;
      } catch (error) {
        // Ctrl-C (or Ctrl-D) at the prompt: readline rejects the question. Every question comes before any write.
        if ((error as { code?: string }).code === 'ABORT_ERR')
          throw new Interrupted('stopped (Ctrl-C); nothing was written.');
        throw error;
      }
    },
    close: () => rl.close(),
  };
}
