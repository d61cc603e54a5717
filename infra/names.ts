/** The deployed things' names: lambda/deploy/names.ts, shared with the CLI's deploy command. */
export * from '../lambda/deploy/names';
